import type { AddressInfo } from 'node:net';
import express from 'express';
import { toJobStatus } from '@image2model/api';
import type { JobSummary, JobStore, JobWithFiles } from '@image2model/core';

/**
 * The status baseline: a bare Express route (no middleware) that returns the same object as
 * `GET /api/v1/status/{job_id}` (the API's own `toJobStatus`, with the job service's summary, so the
 * expiry follows the same RETENTION_HOURS) from the same store, in the same process.
 */
export async function startBareStatus(store: JobStore, summarize: (job: JobWithFiles) => JobSummary): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.get('/status/:job_id', async function bareStatus(req, res) {
    const job = await store.get(req.params.job_id);
    if (!job) {
      res.status(404).end();
      return;
    }
    res.json(toJobStatus(job, summarize(job), `${req.protocol}://${req.get('host') ?? 'localhost'}`));
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
