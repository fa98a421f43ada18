import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookSigner, generateWebhookSecret } from '@image2model/core';
import { closedPort } from '@image2model/testing/net';
import { waitFor } from '@image2model/testing/http';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const CLIENT = new URL('../packages/client/dist/index.js', import.meta.url).href;

/** The fenced block after the README's marker for this test: its webhook receiver. */
function readmeReceiver(): string {
  const marker = readme.indexOf('<!-- checked by test/readme-webhook.int.test.ts -->');
  expect(marker, 'README.md has no receiver marked for this test').toBeGreaterThan(-1);
  const match = /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(marker));
  return match?.[1] ?? '';
}

describe("the README's webhook receiver", () => {
  const secret = generateWebhookSecret();
  const sign = createWebhookSigner(secret);
  let dir: string;
  let url: string;
  let output = '';
  let stop: () => void = () => undefined;

  beforeAll(async () => {
    const code = readmeReceiver();
    expect(code.trimEnd().split('\n').length, 'the README promises 15 lines').toBeLessThanOrEqual(15);
    // Run as written, but with the built client for the package name and a free port for 3000.
    const port = await closedPort(); // free: bound, then released
    dir = await mkdtemp(join(tmpdir(), 'i2m-readme-webhook-'));
    const file = join(dir, 'receiver.mjs');
    await writeFile(file, code.replace("'@image2model/client'", `'${CLIENT}'`).replace('.listen(3000)', `.listen(${port}, '127.0.0.1')`));
    const child = spawn(process.execPath, [file], { env: { PATH: process.env.PATH ?? '', WEBHOOK_SECRET: secret }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    stop = () => child.kill();
    url = `http://127.0.0.1:${port}/`;
    await waitFor(async () => ((await fetch(url, { method: 'POST', body: '{}' }).catch(() => null))?.status === 400 ? true : undefined), { what: 'the receiver to listen' });
  });
  afterAll(async () => {
    stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 204 to signed events and logs them, and 400 to a changed body', async () => {
    const completed = JSON.stringify({
      id: 'evt_00000000000000000000000000000001',
      type: 'file.completed',
      created_at: new Date().toISOString(),
      data: { job_id: 'batch_20261207_000000_abcdef', file_id: 'file_001', status: 'completed', model_url: 'https://i2m.example.com/api/v1/download/batch_20261207_000000_abcdef/file_001/model', model_task_id: null, error: null },
    });
    const post = (body: string, signedBody = body) => fetch(url, { method: 'POST', headers: { ...sign({ id: 'evt_00000000000000000000000000000001', body: signedBody }) }, body });
    expect((await post(completed)).status).toBe(204);
    expect((await post(completed.replace('file_001', 'file_002'), completed)).status).toBe(400);
    await waitFor(async () => (output.includes('model ready: https://i2m.example.com/api/v1/download/batch_20261207_000000_abcdef/file_001/model') ? true : undefined), {
      what: `the receiver to log the event (it wrote: ${output})`,
    });
    expect(output).not.toContain('file_002');
  });
});
