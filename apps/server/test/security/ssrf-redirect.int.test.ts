import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFalEmulator, type FalEmulator } from '@image2model/fal-emulator';
import { parseEnv } from '../../src/env.js';
import { createProvider } from '../../src/process/provider.js';
import { FAL_TEST_TUNING } from '@image2model/testing/fal';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { uploadBatch, waitForJobStatus } from '@image2model/testing/http';
import { startHttpServer, type LocalHttpServer } from '@image2model/testing/net';

/**
 * fal-provider.int.test.ts shows a model URL outside FAL's media hosts is never fetched. This is the
 * other half: a URL on an allowed host that *redirects* inside the network. FAL_BASE_URL points at a
 * proxy to the emulator that answers the model's path with a 302 to an "internal" server.
 */
describe('no SSRF through a redirect from FAL\'s CDN', { timeout: 60_000 }, () => {
  const internalHits: string[] = [];
  let redirectsServed = 0;
  let internal: LocalHttpServer;
  let fal: FalEmulator;
  let proxy: LocalHttpServer;
  let server: TestServer;

  beforeAll(async () => {
    internal = await startHttpServer((req, res) => {
      internalHits.push(req.url ?? '');
      res.end('secret');
    });
    fal = await startFalEmulator({
      queueMs: 20,
      processingMs: 40,
      transformResult: (output) => ({ ...output, model_mesh: { ...output.model_mesh, url: 'https://v3.fal.media/files/redirect/model.glb' } }),
    });
    const emulator = new URL(fal.url);
    proxy = await startHttpServer((req, res) => {
      if (req.url?.startsWith('/files/redirect/')) {
        redirectsServed++;
        res.writeHead(302, { Location: `${internal.url}/latest/meta-data/model.glb` }).end();
        return;
      }
      const upstream = request({ host: emulator.hostname, port: emulator.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    const provider = await createProvider(parseEnv({ FAL_KEY: 'test-fal-key', FAL_BASE_URL: proxy.url }), FAL_TEST_TUNING);
    server = await startTestServer({ provider });
  });
  afterAll(async () => {
    await server?.stop();
    await fal?.close();
    await proxy?.close();
    await internal?.close();
  });

  it('refuses the redirect target without requesting it, and says so in the file error', async () => {
    const upload = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'chair.png', data: await makePhoto() }] });
    expect(upload.status).toBe(200);
    const { job_id } = (await upload.json()) as { job_id: string };
    const job = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    expect(job.files[0]?.status).toBe('failed');
    expect(job.files[0]?.error).toEqual({ code: 'FAL_API_ERROR', message: `FAL returned a file URL on ${internal.url}, which is not a FAL media host; refused` });
    expect(internalHits).toEqual([]);
    // The CDN was asked and answered with the redirect: what was refused is the redirect's target.
    expect(redirectsServed).toBeGreaterThan(0);
  });
});
