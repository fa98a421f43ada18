import type { FalProviderOptions } from '@image2model/core';
import { startFalEmulator, type FalEmulator, type FalEmulatorOptions } from '@image2model/fal-emulator';
import { createProvider, parseEnv } from '@image2model/server';
import { auth, uploadBatch, waitForJobStatus, type JobStatusBody, type UploadPart } from './http.js';
import { startTestServer, USER_KEY, type TestServer } from './test-server.js';

/** The FAL provider's tuning in tests: quick polls, short backoffs and time limits. */
export const FAL_TEST_TUNING: Partial<FalProviderOptions> = {
  pollIntervalMs: 20,
  retry: { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 40 },
  requestTimeoutMs: 1500,
  healthTtlMs: 0,
  healthTimeoutMs: 1500,
};

export interface FalStack {
  fal: FalEmulator;
  server: TestServer;
  /** Uploads through /api/v1 and waits until the job is finished. */
  run(files: UploadPart[], fields?: Record<string, string>): Promise<JobStatusBody>;
  /** GETs a file's model through /api/v1 (our stored copy). */
  download(job: JobStatusBody, fileId?: string): Promise<{ status: number; bytes: Buffer }>;
  stop(): Promise<void>;
}

/**
 * The FAL emulator over HTTP, and an in-process server whose provider is built by `createProvider`
 * from `FAL_KEY` + `FAL_BASE_URL` (so the real `@fal-ai/client` talks to the emulator).
 */
export async function startFalStack(
  opts: { emulator?: FalEmulatorOptions; tuning?: Partial<FalProviderOptions>; falKey?: string; /** The server's own settings (e.g. a bucket). */ env?: Record<string, string> } = {},
): Promise<FalStack> {
  const fal = await startFalEmulator({ queueMs: 60, processingMs: 240, ...opts.emulator });
  const env = parseEnv({ FAL_KEY: opts.falKey ?? 'test-fal-key', FAL_BASE_URL: fal.url });
  const provider = await createProvider(env, { ...FAL_TEST_TUNING, ...opts.tuning });
  const server = await startTestServer({ provider, ...(opts.env ? { env: opts.env } : {}) });
  return {
    fal,
    server,
    async run(files, fields) {
      const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files, fields });
      if (res.status !== 200) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
      const { job_id } = (await res.json()) as { job_id: string };
      return waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    },
    async download(job, fileId = 'file_001') {
      const res = await fetch(server.api(`/download/${job.job_id}/${fileId}/model`), { headers: auth(USER_KEY), redirect: 'manual' });
      return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
    },
    async stop() {
      await server.stop();
      await fal.close();
    },
  };
}
