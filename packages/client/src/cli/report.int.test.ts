import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { mugWithShadow } from '@image2model/testing/synthetic-photos';
import { createImage2ModelClient, isImage2ModelError, type PrintReport } from '../index.js';
import { runCli } from '../test-support/cli.js';

describe('the print report through the client and the CLI (real local generator)', () => {
  let server: TestServer;
  let jobId: string;
  let sessionId: string;
  const env = () => ({ IMAGE2MODEL_URL: server.url, IMAGE2MODEL_API_KEY: USER_KEY });

  beforeAll(async () => {
    server = await startTestServer();
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
    ({ job_id: jobId, session_id: sessionId } = await client.upload([{ name: 'mug.png', data: await mugWithShadow(256) }], { faceLimit: 2000 }));
    expect((await client.waitForJob(jobId)).status).toBe('completed');
  }, 90_000);
  afterAll(() => server?.stop());

  it('printReport answers the report, at a height or with only the session id, and a typed error for an unknown file', async () => {
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
    const report = await client.printReport(jobId, 'file_001');
    expect(report).toMatchObject({ watertight: true, manifold: true, shells: 1, genus: 1, self_intersections: 0, verdict: 'printable' });
    expect((await client.printReport(jobId, 'file_001', { heightMm: 60 })).bbox_mm.z).toBeCloseTo(60, 2);
    const reader = createImage2ModelClient({ baseUrl: server.url });
    expect(await reader.printReport(jobId, 'file_001', { sessionId })).toEqual(report);
    const failure = await client.printReport(jobId, 'file_404').catch((error: unknown) => error);
    expect(isImage2ModelError(failure) && failure.code).toBe('NOT_FOUND');
  });

  it('image2model report prints the verdict, size and volume, or the report as JSON', async () => {
    const human = await runCli(['report', jobId, 'file_001', '--height-mm', '80'], { env: env() });
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Printable\n/);
    expect(human.stdout).toMatch(/Size\s+[\d.]+ × [\d.]+ × 80\.0 mm/);
    expect(human.stdout).toMatch(/Volume\s+[\d.]+ cm³/);
    expect(human.stdout).toMatch(/Watertight\s+yes/);
    const json = await runCli(['report', jobId, 'file_001', '--json'], { env: env() });
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as PrintReport).verdict).toBe('printable');
    const bad = await runCli(['report', jobId, 'file_001', '--height-mm', 'tall'], { env: env() });
    expect(bad.code).toBe(2);
  });
});
