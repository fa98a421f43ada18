#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CommandContext, EXIT, exitCodeFor, reportError, type GlobalOptions, type Io } from './context.js';
import { generateUsageProblem, runGenerate, type GenerateOptions } from './commands/generate.js';
import { runStatus } from './commands/status.js';
import { runDownload, type DownloadCommandOptions } from './commands/download.js';
import { runReport, type ReportCommandOptions } from './commands/report.js';
import { runHealth } from './commands/health.js';
import { runCancel } from './commands/cancel.js';
import { runRetry, type RetryCommandOptions } from './commands/retry.js';
import { runJobs, type JobsOptions } from './commands/jobs.js';
import { runWebhooks, type WebhooksOptions } from './commands/webhooks.js';
import { MAX_FACE_LIMIT, MIN_FACE_LIMIT } from '../generated/api-types.js';
import { MODEL_FORMATS } from '../downloads.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const FACE_LIMIT_RANGE = `${MIN_FACE_LIMIT} to ${MAX_FACE_LIMIT}`;

function parseFaceLimit(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected an integer from ${FACE_LIMIT_RANGE}`);
  const n = Number(value);
  if (n < MIN_FACE_LIMIT || n > MAX_FACE_LIMIT) throw new InvalidArgumentError(`expected an integer from ${FACE_LIMIT_RANGE}`);
  return n;
}

/** STL and 3MF heights the server accepts (millimetres). */
function parseHeightMm(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n < 0.01 || n > 10_000) throw new InvalidArgumentError('expected millimetres from 0.01 to 10000');
  return n;
}

const formatOption = () => new Option('--format <format>', 'the models\' format: glb, or stl, 3mf, obj (a ZIP with .mtl and texture), ply, usdz converted by the server').choices(MODEL_FORMATS).default('glb');
const heightOption = () => new Option('--height-mm <mm>', "STL and 3MF: the model's height in the print (default: its own size, longest side capped at 100 mm)").argParser(parseHeightMm);

function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 100) throw new InvalidArgumentError('expected an integer from 1 to 100');
  return n;
}

/** The `image2model` program; `io` is where it writes (the process's streams, or a test's). */
export function createProgram(io: Io, setExitCode: (code: number) => void): Command {
  const program = new Command('image2model');
  program
    .description('Turn photos into 3D models (GLB) with an Image2Model server')
    .version(version, '-V, --version')
    .addOption(new Option('--url <url>', "the server's origin").env('IMAGE2MODEL_URL').default('http://localhost:8000'))
    .addOption(new Option('--api-key <key>', 'API key, sent as a Bearer token').env('IMAGE2MODEL_API_KEY'))
    .option('--json', 'print one machine-readable JSON document on stdout (errors too)')
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .addHelpText(
      'after',
      `
Environment:
  IMAGE2MODEL_URL      the server's origin (default http://localhost:8000)
  IMAGE2MODEL_API_KEY  the API key; --url and --api-key win over these

Exit codes: 0 success, 1 a request or a file failed, 2 wrong usage (bad option, missing image)

Example:
  image2model generate chair.jpg table.png --out models
  image2model generate --front mug-front.jpg --left mug-left.jpg --out models
  image2model jobs --status failed,partial
  image2model report batch_20240315_123456_abc123 file_001 --height-mm 80
  image2model webhooks batch_20240315_123456_abc123 --redeliver`,
    );

  // Commander passes the command last: its operands, its options, and the global options.
  const run = (action: (ctx: CommandContext, command: Command) => Promise<number>) => async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const globals = command.optsWithGlobals<GlobalOptions>();
    try {
      setExitCode(await action(new CommandContext(globals, io), command));
    } catch (error) {
      reportError(error, globals, io);
      setExitCode(exitCodeFor(error));
    }
  };

  program
    .command('generate')
    .description('upload images, follow every file live, and download the models (one per image, or one from --front and side views)')
    .argument('[images...]', 'JPEG or PNG files, one model each')
    .option('--front <image>', 'one object seen from several sides: the photo of its front (then no images as arguments)')
    .option('--left <image>', "the object's own left side (--front with --left and/or --right)")
    .option('--back <image>', 'its back (optional)')
    .option('--right <image>', 'its right side')
    .option('--face-limit <n>', `maximum triangles per model (${FACE_LIMIT_RANGE})`, parseFaceLimit)
    .option('--out <dir>', 'where to save the models', '.')
    .option('--zip', 'save one ZIP of all models (with manifest.json) instead of separate GLBs')
    .option('--no-progress', 'no progress bars, one line per file')
    .option('--force', 'overwrite files of the same name (default: save as name-2.glb, name-3.glb, …)')
    .option('--webhook <url>', "send the job's events (file.completed, file.failed, file.cancelled, job.finished) to this https:// URL")
    .addOption(formatOption())
    .addOption(heightOption())
    .addHelpText(
      'after',
      `
One object from several sides (one job, one model; a side view gives the depth):
  image2model generate --front mug-front.jpg --left mug-left.jpg [--back mug-back.jpg] [--right mug-right.jpg]`,
    )
    .hook('preAction', (command) => {
      const problem = generateUsageProblem(command.args, command.opts<GenerateOptions>());
      if (problem) command.error(`error: ${problem}`, { exitCode: EXIT.usage, code: 'commander.usageError' });
    })
    .action(run((ctx, command) => runGenerate(ctx, command.args, command.opts<GenerateOptions>())));

  program
    .command('status')
    .description("show a job and each file's status")
    .argument('<job_id>', 'the job id, e.g. batch_20240315_123456_abc123')
    .option('--session-id <id>', "read the job with its session_id instead of the API key")
    .action(run((ctx, command) => runStatus(ctx, command.args[0] ?? '', command.opts<{ sessionId?: string }>())));

  program
    .command('jobs')
    .description("list this key's jobs, newest first")
    .option('--status <status...>', 'only jobs in these statuses (processing, completed, failed, partial, cancelled; repeat or separate with commas)')
    .option('--limit <n>', 'jobs to show (1 to 100)', parseLimit, 20)
    .option('--all', 'every job, page after page')
    .action(run((ctx, command) => runJobs(ctx, command.opts<JobsOptions>())));

  program
    .command('download')
    .description("save a job's completed models")
    .argument('<job_id>', 'the job id')
    .option('--out <dir>', 'where to save the models', '.')
    .option('--zip', 'save one ZIP of all models (with manifest.json)')
    .option('--file <file_id>', 'only this file, e.g. file_002')
    .option('--force', 'overwrite files of the same name (default: save as name-2.glb, name-3.glb, …)')
    .option('--session-id <id>', "read the job with its session_id instead of the API key")
    .addOption(formatOption())
    .addOption(heightOption())
    .action(run((ctx, command) => runDownload(ctx, command.args[0] ?? '', command.opts<DownloadCommandOptions>())));

  program
    .command('report')
    .description("a completed model's print-readiness report: watertight, manifold, size in mm, volume, and the verdict")
    .argument('<job_id>', 'the job id')
    .argument('<file_id>', 'the file, e.g. file_001')
    .option('--height-mm <mm>', "the model's height in the print (default: as the STL, longest side capped at 100 mm)", parseHeightMm)
    .option('--session-id <id>', "read the job with its session_id instead of the API key")
    .action(run((ctx, command) => runReport(ctx, command.args[0] ?? '', command.args[1] ?? '', command.opts<ReportCommandOptions>())));

  program
    .command('cancel')
    .description('cancel a running job, or some of its files (pending ones never start; running ones stop)')
    .argument('<job_id>', 'the job id')
    .argument('[file_ids...]', 'only these files, e.g. file_002 (default: every file)')
    .action(run((ctx, command) => runCancel(ctx, command.args[0] ?? '', command.args.slice(1))));

  program
    .command('retry')
    .description('generate every failed and cancelled file of a job again')
    .argument('<job_id>', 'the job id')
    .option('--face-limit <n>', `maximum triangles per model (${FACE_LIMIT_RANGE}); default: each file's previous limit`, parseFaceLimit)
    .option('--file <file_id...>', 'only these files, e.g. --file file_002 file_003')
    .option('--webhook <url>', "send the events that follow to this URL instead of the job's")
    .action(run((ctx, command) => runRetry(ctx, command.args[0] ?? '', command.opts<RetryCommandOptions>())));

  program
    .command('webhooks')
    .description("show a job's webhook deliveries (state, attempts, last status, next attempt)")
    .argument('<job_id>', 'the job id')
    .option('--redeliver', 'first queue every exhausted delivery again')
    .action(run((ctx, command) => runWebhooks(ctx, command.args[0] ?? '', command.opts<WebhooksOptions>())));

  program
    .command('health')
    .description('check that the server is up and ready (no API key needed)')
    .action(run((ctx) => runHealth(ctx)));

  return program;
}

async function main(): Promise<void> {
  const io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
  const program = createProgram(io, (code) => {
    process.exitCode = code;
  });
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    // exitOverride: commander throws instead of exiting. --help and --version exit 0; a usage
    // error (already printed by commander) exits 2; anything else is a failure.
    const { code, exitCode } = error as { code?: string; exitCode?: number };
    if (typeof code === 'string' && code.startsWith('commander.')) process.exitCode = exitCode === 0 ? EXIT.ok : EXIT.usage;
    else {
      process.stderr.write(`image2model: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = EXIT.failed;
    }
  }
}

await main();
