import { STLLoader } from 'three/examples/jsm/loaders/STLLoader.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';
import { mugWithShadow } from '@image2model/testing/synthetic-photos';

async function stlTriangles(url: string): Promise<number> {
  const res = await fetch(url, { headers: auth(USER_KEY) });
  expect(res.status).toBe(200);
  const bytes = Buffer.from(await res.arrayBuffer());
  return new STLLoader().parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer).getAttribute('position').count / 3;
}

async function reportTriangles(url: string): Promise<number> {
  const res = await fetch(url, { headers: auth(USER_KEY) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { triangles: number }).triangles;
}

describe('stored conversions and reports of a regenerated file (local generator, models on disk)', () => {
  let server: TestServer;
  let jobId: string;
  const stlUrl = () => server.api(`/download/${jobId}/file_001/model?format=stl`);
  const reportUrl = () => server.api(`/download/${jobId}/file_001/report`);
  const modelKeys = async () => {
    const keys: string[] = [];
    for await (const blob of server.runtime.storage.list(`jobs/${jobId}/models`)) keys.push(blob.key);
    return keys.sort();
  };

  beforeAll(async () => {
    server = await startTestServer();
    const upload = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'mug.png', data: await mugWithShadow(256) }], fields: { face_limit: '2000' } });
    jobId = ((await upload.json()) as { job_id: string }).job_id;
    expect((await waitForJobStatus(server.api(`/status/${jobId}`), USER_KEY)).status).toBe('completed');
  }, 120_000);
  afterAll(() => server?.stop());

  it('serves the STL and report of the new model after generate-single, and removes the old ones', async () => {
    const first = await stlTriangles(stlUrl());
    expect(await reportTriangles(reportUrl())).toBe(first);
    expect((await modelKeys()).length).toBe(3); // the model, its STL, its report

    const res = await fetch(server.api('/models/generate-single'), {
      method: 'POST',
      headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' },
      body: JSON.stringify({ job_id: jobId, file_id: 'file_001', face_limit: 500 }),
    });
    expect(res.status).toBe(200);
    expect((await waitForJobStatus(server.api(`/status/${jobId}`), USER_KEY)).files[0]).toMatchObject({ status: 'completed', face_limit: 500 });
    // Only the new model is left: the first generation's STL and report went when it was stored.
    expect(await modelKeys()).toEqual([`jobs/${jobId}/models/file_001.glb`]);

    const second = await stlTriangles(stlUrl());
    expect(second).toBeLessThanOrEqual(500);
    expect(second).not.toBe(first);
    expect(await reportTriangles(reportUrl())).toBe(second);
  }, 120_000);
});
