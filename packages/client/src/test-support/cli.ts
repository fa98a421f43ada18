import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `image2model` as its own process, with only the environment given. */
export function runCli(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  const started = startCli(args, opts);
  started.child.stdin.end(); // nothing typed: as from a script
  return started.finished;
}

export interface StartedCli {
  child: ChildProcessWithoutNullStreams;
  /** What it has written so far. */
  output(): CliRun;
  finished: Promise<CliRun>;
}

/** Starts the built `image2model` with a stdin the test can type into (and signal). */
export function startCli(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): StartedCli {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build -w @image2model/client first`);
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...opts.env }, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, output: () => ({ code: child.exitCode, stdout, stderr }), finished };
}
