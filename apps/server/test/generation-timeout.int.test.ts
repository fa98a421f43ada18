import { afterEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { uploadBatch, waitForJobStatus } from '@image2model/testing/http';

describe('a provider that never answers', () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it('fails the file after GENERATION_TIMEOUT_MS and frees the slot for the next one', async () => {
    const provider = new FakeModelProvider();
    provider.hold();
    server = await startTestServer({ provider, env: { GENERATION_TIMEOUT_MS: '300', WORKER_CONCURRENCY: '1' } });
    const photo = await makePhoto();
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: photo }, { name: 'b.png', data: photo }] });
    const { job_id } = (await res.json()) as { job_id: string };
    const done = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    expect(done.status).toBe('failed');
    for (const file of done.files) expect(file.error).toEqual({ code: 'PROCESSING_ERROR', message: 'Generation timed out after 300 ms; retry the file' });
    expect(provider.calls).toHaveLength(2);
    provider.release();
  });
});
