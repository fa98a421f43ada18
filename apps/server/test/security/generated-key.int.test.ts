import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startChildServer } from '@image2model/testing/child-server';
import { auth } from '@image2model/testing/http';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
// script(1) that can open a pseudo-terminal here (a machine without one skips the terminal case).
const hasScript = spawnSync('script', ['-qec', 'true', '/dev/null'], { stdio: 'ignore' }).status === 0;

describe('the generated admin key', { timeout: 60_000 }, () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  async function dataDir() {
    const dir = await mkdtemp(join(tmpdir(), 'i2m-genkey-'));
    dirs.push(dir);
    return dir;
  }

  it('is not printed when stdout is not a terminal: the log names the file, and the key in it works', async () => {
    const dir = await dataDir();
    const server = await startChildServer({ DATA_DIR: dir });
    try {
      const file = join(dir, 'api-key.txt');
      const key = (await readFile(file, 'utf8')).trim();
      expect(key).toMatch(/^i2m_/);
      const output = server.output.join('\n');
      expect(output).not.toContain(key);
      expect(output).toContain(file);
      const unknown = `${server.url}/api/v1/status/batch_20990101_000000_aaaaaa`;
      expect((await fetch(unknown, { headers: auth(key) })).status).toBe(404);
      expect((await fetch(unknown)).status).toBe(401);
    } finally {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  });

  it.skipIf(!hasScript)('is printed in full when stdout is a terminal (a pseudo-terminal from script(1))', async () => {
    const dir = await dataDir();
    // script(1) runs the server on a pseudo-terminal and copies what it prints to our pipe.
    const child = spawn('script', ['-qfec', `"${process.execPath}" "${MAIN}"`, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', DATA_DIR: dir },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no start:\n${output}`)), 30_000);
        // script(1) ending first (no terminal to be had, the server stopping) fails with what it said.
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`script(1) ended (${code ?? signal}) before the server was ready:\n${output}`));
        });
        child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('is ready')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      const key = (await readFile(join(dir, 'api-key.txt'), 'utf8')).trim();
      expect(output).toContain(key);
    } finally {
      if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
    }
  });
});
