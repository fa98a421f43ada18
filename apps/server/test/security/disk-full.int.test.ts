import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { ADMIN_KEY, startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, readEventStream, uploadBatch, waitFor, waitForJobStatus, type JobStatusBody } from '@image2model/testing/http';
import { mountSmallDisk, type SmallDisk } from '@image2model/testing/small-disk';

const disk = await mountSmallDisk(8);
const unavailable = 'unavailable' in disk ? disk.unavailable : null;
// CI runs as root and must exercise this; a laptop without root skips with the reason.
if (unavailable && process.env.CI) throw new Error(unavailable);

interface ErrorBody {
  detail: { code: string; message: string; details: Record<string, unknown> };
}

describe.skipIf(unavailable !== null)(`disk full (DATA_DIR on an 8 MiB tmpfs)${unavailable ? `: skipped, ${unavailable}` : ''}`, { timeout: 120_000 }, () => {
  const small = disk as SmallDisk;
  const provider = new FakeModelProvider();
  let server: TestServer;
  let photo: Buffer;

  const upload = (files = [{ name: 'photo.png', data: photo }]) => uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files });
  const tempFiles = () => readdir(join(small.dir, 'tmp', 'uploads'));
  const jobDirs = () => readdir(join(small.dir, 'jobs')).catch(() => [] as string[]);
  const jobCounts = async () => {
    const res = await fetch(server.api('/admin/system-info'), { headers: auth(ADMIN_KEY) });
    const body = (await res.json()) as { jobs: Record<string, number> };
    return Object.values(body.jobs).reduce((a, b) => a + b, 0);
  };

  /** 507 in the spec's error body, with a message that tells the caller what to do. */
  async function expectInsufficientStorage(res: Response): Promise<void> {
    const body = (await res.json()) as ErrorBody;
    expect(res.status, JSON.stringify(body)).toBe(507);
    expect(body.detail.code).toBe('INSUFFICIENT_STORAGE');
    expect(body.detail.message).toMatch(/out of storage space.*try again later/i);
    expect(body.detail.message).not.toContain(small.dir);
    expect(body.detail.details).toEqual({});
  }

  beforeAll(async () => {
    photo = await makePhoto({ width: 256, height: 256 });
    server = await startTestServer({ provider, dataDir: small.dir });
  });
  afterAll(async () => {
    provider.release();
    await server?.stop();
    await small.unmount();
  });

  it('a disk with no page free: 507 on the temp write, no temp file, no job', async () => {
    const jobsBefore = await jobCounts();
    const dirsBefore = await jobDirs();
    await small.fill(0);
    try {
      await expectInsufficientStorage(await upload());
      expect(await tempFiles()).toEqual([]);
      expect(await jobDirs()).toEqual(dirsBefore);
      expect(await jobCounts()).toBe(jobsBefore);
    } finally {
      await small.unfill();
    }
  });

  it('space runs out in the middle of a 1 MiB part: 507, and the half-written temp file is gone', async () => {
    const dirsBefore = await jobDirs();
    await small.fill(256 * 1024);
    try {
      const big = { name: 'big.png', data: Buffer.concat([photo, Buffer.alloc(1024 * 1024, 7)]) };
      await expectInsufficientStorage(await upload([big]));
      expect(await tempFiles()).toEqual([]);
      expect(await jobDirs()).toEqual(dirsBefore);
      expect(await small.freeBytes()).toBeGreaterThanOrEqual(256 * 1024);
    } finally {
      await small.unfill();
    }
  });

  /** Exactly the photo's pages stay free: the temp write and the rename into the job fit, job.json does not. */
  const fillBelowJobJson = () => small.fill(Math.ceil(photo.length / 4096) * 4096);

  it('room for the photo but not for job.json: 507, no job directory, no temp file', async () => {
    const dirsBefore = await jobDirs();
    await fillBelowJobJson();
    try {
      await expectInsufficientStorage(await upload());
      expect(await tempFiles()).toEqual([]);
      expect(await jobDirs()).toEqual(dirsBefore);
    } finally {
      await small.unfill();
    }
  });

  // FsJobStore.create forgets a job whose job.json did not fit, so it is not left as an "active" job.
  it('room for the photo but not for job.json: no job left in the admin counts', async () => {
    const jobsBefore = await jobCounts();
    await fillBelowJobJson();
    try {
      expect((await upload()).status).toBe(507);
    } finally {
      await small.unfill();
    }
    expect(await jobCounts()).toBe(jobsBefore);
  });

  /**
   * Uploads one photo, holds its generation, fills the disk, then lets the model be written. With
   * `follow`, a client follows the job's stream from before the disk fills.
   */
  async function generateOntoFullDisk(opts: { follow?: boolean } = {}) {
    provider.hold();
    try {
      const calls = provider.calls.length;
      const res = await upload();
      expect(res.status).toBe(200);
      const { job_id } = (await res.json()) as { job_id: string };
      await provider.waitForCalls(calls + 1);
      let onConnect = (): void => undefined;
      const connected = new Promise<void>((resolve) => (onConnect = resolve));
      const following = opts.follow ? followStream(job_id, () => onConnect()) : null;
      // Connected (its replay has the pick-up's progress) before the disk fills: it then follows live.
      if (following) await connected;
      await small.fill(0);
      provider.release();
      return { job_id, following, failed: await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY) };
    } finally {
      // Whatever failed above, the next test gets a free provider and an empty disk.
      provider.release();
      await small.unfill();
    }
  }

  it('a generation that hits ENOSPC writing its model fails at once, leaves no partial model, and a retry completes once space is back', async () => {
    const { job_id, failed } = await generateOntoFullDisk();
    expect(failed.files.map((f) => f.status)).toEqual(['failed']);
    expect(failed.files[0]?.error?.code).toMatch(/^[A-Z_]+$/);
    const models = await readdir(join(small.dir, 'jobs', job_id, 'models')).catch(() => [] as string[]);
    expect(models).toEqual([]);

    const retry = await fetch(server.api('/models/generate-single'), {
      method: 'POST',
      headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' },
      body: JSON.stringify({ job_id, file_id: 'file_001' }),
    });
    expect(retry.status, await retry.clone().text()).toBe(200);
    const done = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY, (b) => b.files.every((f) => f.status === 'completed'));
    expect(done.status).toBe('completed');
  });

  it('a generation that hits ENOSPC says INSUFFICIENT_STORAGE in the file error, and what to do', async () => {
    const { failed } = await generateOntoFullDisk();
    expect(failed.files[0]?.error).toEqual({
      code: 'INSUFFICIENT_STORAGE',
      message: 'The server ran out of storage space while saving the model: retry this file once space is freed',
    });
  });

  /** The job's SSE stream, until the server ends it after `done` (or 5 s pass). */
  const followStream = (job_id: string, onEvent?: () => void) =>
    readEventStream(server.api(`/status/stream/${job_id}`), { headers: auth(USER_KEY), stopAfterMs: 5_000, ...(onEvent ? { onEvent } : {}) });

  // The event log is just as full: FsJobEvents publishes what it cannot store (and keeps it for
  // this process's replay), so a follower and a stream opened after the failure both end with failed and done.
  it('a generation that hits ENOSPC still ends the event stream with failed and done', async () => {
    const { job_id, following } = await generateOntoFullDisk({ follow: true });
    const late = await followStream(job_id);
    const followed = await following;
    if (followed === null) throw new Error('the stream was not followed');
    for (const { events } of [followed, late]) {
      expect(events.slice(-2).map((e) => e.data.type)).toEqual(['failed', 'done']);
      expect(events.at(-2)?.data).toMatchObject({ error: { code: 'INSUFFICIENT_STORAGE' } });
    }
  });

  /** A completed job, then a full disk for one generate-single on its file; space is back on return. */
  async function generateSingleOnFullDisk(): Promise<{ job_id: string; status: number; body: ErrorBody }> {
    const res = await upload();
    expect(res.status).toBe(200);
    const { job_id } = (await res.json()) as { job_id: string };
    await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    await small.fill(0);
    try {
      const retry = await fetch(server.api('/models/generate-single'), {
        method: 'POST',
        headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' },
        body: JSON.stringify({ job_id, file_id: 'file_001', face_limit: 500 }),
      });
      return { job_id, status: retry.status, body: (await retry.json()) as ErrorBody };
    } finally {
      await small.unfill();
    }
  }

  // The REST mapping (appErrorFromTrpc, core's toAppError) finds the ENOSPC under the procedure's error.
  it('generate-single on a full disk answers 507 INSUFFICIENT_STORAGE', async () => {
    const { status, body } = await generateSingleOnFullDisk();
    expect(status).toBe(507);
    expect(body.detail.code).toBe('INSUFFICIENT_STORAGE');
  });

  // FsJobStore.restartFile undoes a restart whose job.json write failed: the file is not left
  // "pending" without being queued (the job stuck in "processing", every later generate-single a 409).
  it('generate-single on a full disk leaves the file as it was, not stuck', async () => {
    const { job_id } = await generateSingleOnFullDisk();
    // The fake provider takes milliseconds: a file still not settled after 5 s is stuck.
    const settled = await waitFor(
      async () => {
        const body = (await (await fetch(server.api(`/status/${job_id}`), { headers: auth(USER_KEY) })).json()) as JobStatusBody;
        return body.status === 'processing' ? undefined : body;
      },
      { timeoutMs: 5_000, what: 'the job to leave "processing"' },
    );
    expect(settled.files.map((f) => f.status)).toEqual(['completed']);
    // Space is back: the same retry is accepted now, not a 409.
    const retry = await fetch(server.api('/models/generate-single'), {
      method: 'POST',
      headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' },
      body: JSON.stringify({ job_id, file_id: 'file_001' }),
    });
    expect(retry.status, await retry.clone().text()).toBe(200);
    await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY, (b) => b.status === 'completed');
  });

  it('once space is back, uploads succeed and complete again', async () => {
    const res = await upload();
    expect(res.status).toBe(200);
    const { job_id } = (await res.json()) as { job_id: string };
    const done = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    expect(done.files.map((f) => f.status)).toEqual(['completed']);
    expect(await tempFiles()).toEqual([]);
  });
});
