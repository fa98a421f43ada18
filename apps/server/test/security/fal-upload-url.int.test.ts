import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFalStack, type FalStack } from '@image2model/testing/fal';
import { makePhoto } from '@image2model/testing/images';

/**
 * FAL storage answers "PUT the photo here": that URL is data from outside like a model's URL, and
 * goes through the same allowlist (https FAL media hosts or FAL_BASE_URL), or the photo could be
 * sent to an internal address.
 */
describe('the FAL storage upload URL', () => {
  const received: { method: string; url: string; bytes: number }[] = [];
  const probe = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', bytes });
      res.end();
    });
  });
  let internal = '';
  let stack: FalStack;

  beforeAll(async () => {
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    internal = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    stack = await startFalStack({ emulator: { transformUploadUrl: (url) => `${internal}${new URL(url).pathname}` } });
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  it('is refused when it is on another host: the file fails, nothing is sent there, nothing is submitted', { timeout: 30_000 }, async () => {
    const job = await stack.run([{ name: 'a.png', data: await makePhoto() }]);
    expect(job.files[0]?.status).toBe('failed');
    expect(job.files[0]?.error).toEqual({ code: 'FAL_API_ERROR', message: `FAL returned a file URL on http://${new URL(internal).host}, which is not a FAL media host; refused` });
    expect(received).toEqual([]);
    expect(stack.fal.submits).toEqual([]);
  });
});
