import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
/** Packages only some deployments or some requests need: loading them at start costs every cold start. */
const LAZY = ['ioredis', 'bullmq', '@fal-ai/client', 'swagger-ui-express', 'archiver'];

/** A module-resolution hook that writes every module the process resolves to `data.log`, one URL a line. */
const HOOKS = `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(log, resolved.url + '\\n');
  return resolved;
}`;

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'i2m-entry-'));
  await writeFile(path.join(dir, 'hooks.mjs'), HOOKS);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * The third-party packages a Node process resolved, through every workspace package (the real,
 * built graph, not a reading of the source). Module loading resolves a whole static graph before
 * any of it runs, so a process that stops at its first line still shows what it loads statically.
 */
async function packagesLoadedBy(args: string[], env: Record<string, string>): Promise<Set<string>> {
  const log = path.join(dir, `loaded-${Math.random().toString(36).slice(2)}.log`);
  const register = path.join(dir, 'register.mjs');
  await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(dir, 'hooks.mjs')).href)}, { data: { log: ${JSON.stringify(log)} } });\n`);
  await new Promise<void>((resolve) => {
    execFile(process.execPath, ['--import', pathToFileURL(register).href, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, () => resolve());
  });
  const packages = new Set<string>();
  for (const url of (await readFile(log, 'utf8')).split('\n')) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match?.[1]) packages.add(match[1]);
  }
  return packages;
}

describe('server entry points', () => {
  it('dist/main.js (npm start) loads Redis, BullMQ, the FAL client, Swagger UI and archiver only when used', async () => {
    // An invalid PORT stops the process at its first line (parseEnv), after every static import resolved.
    const loaded = await packagesLoadedBy([path.join(DIST, 'main.js')], { PORT: 'not-a-port' });
    expect(LAZY.filter((name) => loaded.has(name))).toEqual([]);
    expect(loaded).toContain('express'); // the hook does see the server's real imports
  });

  it('@image2model/server (what bench builds a server from) loads none of them either', async () => {
    const loaded = await packagesLoadedBy(['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(path.join(DIST, 'index.js')).href)})`], {});
    expect(LAZY.filter((name) => loaded.has(name))).toEqual([]);
    expect(loaded).toContain('express');
  });
});
