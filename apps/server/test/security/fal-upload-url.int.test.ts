import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFalStack, type FalStack } from '@image2model/testing/fal';
import { makePhoto } from '@image2model/testing/images';
import { startHttpServer, type LocalHttpServer } from '@image2model/testing/net';

/**
 * FAL storage answers "PUT the photo here": that URL is data from outside like a model's URL, and
 * goes through the same allowlist (https FAL media hosts or FAL_BASE_URL), or the photo could be
 * sent to an internal address.
 */
describe('the FAL storage upload URL', () => {
  const received: { method: string; url: string; bytes: number }[] = [];
  let internal: LocalHttpServer;
  let stack: FalStack;

  beforeAll(async () => {
    internal = await startHttpServer((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', bytes });
        res.end();
      });
    });
    stack = await startFalStack({ emulator: { transformUploadUrl: (url) => `${internal.url}${new URL(url).pathname}` } });
  });
  afterAll(async () => {
    await stack?.stop();
    await internal?.close();
  });

  it('is refused when it is on another host: the file fails, nothing is sent there, nothing is submitted', { timeout: 30_000 }, async () => {
    const job = await stack.run([{ name: 'a.png', data: await makePhoto() }]);
    expect(job.files[0]?.status).toBe('failed');
    expect(job.files[0]?.error).toEqual({ code: 'FAL_API_ERROR', message: `FAL returned a file URL on ${internal.url}, which is not a FAL media host; refused` });
    expect(received).toEqual([]);
    expect(stack.fal.submits).toEqual([]);
  });
});
