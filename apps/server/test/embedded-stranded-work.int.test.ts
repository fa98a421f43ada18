import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, type JobQueue, type JobStore } from '@image2model/core';
import { afterEach, describe, expect, it } from 'vitest';
import { auth, readEventStream, uploadBatch, waitForJobStatus, type JobStatusBody } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';

/** The real in-process queue, except that enqueueing throws while `failing` is set (as a lost store would). */
function switchableQueue() {
  const control = { failing: false };
  const wrap = (queue: JobQueue): JobQueue =>
    Object.assign(Object.create(queue) as JobQueue, {
      async enqueue(tasks: Parameters<JobQueue['enqueue']>[0]) {
        if (control.failing) throw new AppError('SERVICE_UNAVAILABLE', 'The job store is unavailable; try again shortly', { retryable: true });
        return queue.enqueue(tasks);
      },
    });
  return { control, wrap };
}

describe('no stranded work when queueing fails (embedded mode)', () => {
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it('an upload whose queueing fails answers 503 and leaves no job; a generate-single whose queueing fails answers 503 and fails the file, so a retry works at once', async () => {
    const { control, wrap } = switchableQueue();
    server = await startTestServer({ wrapQueue: wrap });
    const photo = await makePhoto({ format: 'jpeg' });
    const upload = () => uploadBatch(server?.api('/upload/batch') ?? '', { key: USER_KEY, files: [{ name: 'a.jpg', data: photo }, { name: 'b.jpg', data: photo }] });

    control.failing = true;
    const refused = await upload();
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ detail: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String), details: expect.any(Object) } });
    expect(await server.runtime.store.counts()).toEqual({ active: 0, completed: 0, failed: 0, partial: 0, cancelled: 0 });
    expect(await readdir(join(server.dataDir, 'jobs')).catch(() => [])).toEqual([]);
    control.failing = false;

    const accepted = await upload();
    const { job_id: jobId } = (await accepted.json()) as { job_id: string };
    const statusUrl = server.api(`/status/${jobId}`);
    expect((await waitForJobStatus(statusUrl, USER_KEY)).status).toBe('completed');
    const generate = () =>
      fetch(server?.api('/models/generate-single') ?? '', {
        method: 'POST',
        headers: { ...auth(USER_KEY), 'Content-Type': 'application/json' },
        body: JSON.stringify({ job_id: jobId, file_id: 'file_002' }),
      });
    control.failing = true;
    expect((await generate()).status).toBe(503);
    control.failing = false;
    const after = (await (await fetch(statusUrl, { headers: auth(USER_KEY) })).json()) as JobStatusBody;
    expect(after.status).toBe('partial');
    expect(after.files[1]).toMatchObject({ status: 'failed', error: { code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/generate it again/) } });
    const { events } = await readEventStream(server.api(`/status/stream/${jobId}`), { headers: auth(USER_KEY), stopAfterMs: 5_000 });
    expect(events.slice(-2).map((e) => [e.data.type, e.data.file_id ?? null])).toEqual([
      ['failed', 'file_002'],
      ['done', null],
    ]);

    expect((await generate()).status).toBe(200);
    expect((await waitForJobStatus(statusUrl, USER_KEY)).files.map((f) => f.status)).toEqual(['completed', 'completed']);
  });

  it('an error that escapes processing after the pick-up fails the file with its failed event and done, instead of leaving it processing', async () => {
    // Recording the model fails, then both ways of recording the failure (durable, then in
    // memory): the error escapes the task, and only the queue's hand-over can end the file.
    let failFinalMarks = 0;
    server = await startTestServer({
      wrapStore: (store) =>
        Object.assign(Object.create(store) as JobStore, {
          async updateFile(...args: Parameters<JobStore['updateFile']>) {
            const [, , patch] = args;
            if ((patch.status === 'completed' || patch.status === 'failed') && failFinalMarks > 0) {
              failFinalMarks -= 1;
              throw new Error('EIO: i/o error, write');
            }
            return store.updateFile(...args);
          },
        }),
    });
    failFinalMarks = 3;
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.jpg', data: await makePhoto({ format: 'jpeg' }) }] });
    const { job_id: jobId } = (await res.json()) as { job_id: string };
    const ended = await waitForJobStatus(server.api(`/status/${jobId}`), USER_KEY);
    expect(ended.status).toBe('failed');
    expect(ended.files[0]).toMatchObject({ status: 'failed', error: { code: 'PROCESSING_ERROR', message: 'Internal processing error' } });
    const { events } = await readEventStream(server.api(`/status/stream/${jobId}`), { headers: auth(USER_KEY), stopAfterMs: 5_000 });
    expect(events.slice(-2).map((e) => e.data.type)).toEqual(['failed', 'done']);
  });
});
