import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FsJobEvents } from '../adapters/fs/job-events.fs.js';
import { FsJobStore } from '../adapters/fs/job-store.fs.js';
import { silentLogger } from '../logger.js';
import { describeFileTransitionsContract } from './file-transitions.contract.js';
import type { JobEvent, JobEvents } from './job-events.js';
import { makeFileRecord, makeJobRecord } from './job-store.contract.js';
import { createSequentialTransitions } from './sequential-transitions.js';

describeFileTransitionsContract('sequential (FsJobStore, FsJobEvents)', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'i2m-transitions-'));
  const store = await FsJobStore.open({ root });
  const events = new FsJobEvents({ root });
  return {
    transitions: createSequentialTransitions({ store, events, logger: silentLogger }),
    store,
    events,
    async cleanup() {
      await events.close();
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});

describe('sequential transitions: the end of a round', () => {
  const roots: string[] = [];
  afterEach(async () => {
    await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
  });

  /** A job of `files` processing files, and an event log whose reads (`since`) wait while `holdReads` is set. */
  async function setUp(files: number) {
    const root = await mkdtemp(path.join(os.tmpdir(), 'i2m-round-'));
    roots.push(root);
    const store = await FsJobStore.open({ root });
    const fsEvents = new FsJobEvents({ root });
    let held: { reached: () => void; released: Promise<void> } | null = null;
    const events: JobEvents = Object.assign(Object.create(fsEvents) as JobEvents, {
      async since(jobId: string, lastEventId: string | null): Promise<JobEvent[]> {
        if (held) {
          held.reached();
          await held.released;
        }
        return fsEvents.since(jobId, lastEventId);
      },
    });
    /** Holds the next reads; resolves `reached` once one waits, and lets them go on `release()`. */
    function holdReads() {
      let reached = (): void => undefined;
      let release = (): void => undefined;
      const waiting = new Promise<void>((resolve) => (reached = resolve));
      held = { reached, released: new Promise<void>((resolve) => (release = resolve)) };
      return {
        waiting,
        release() {
          held = null;
          release();
        },
      };
    }
    const job = makeJobRecord();
    await store.create(job, Array.from({ length: files }, (_, i) => makeFileRecord(i, job.job_id, { status: 'processing' })));
    const transitions = createSequentialTransitions({ store, events, logger: silentLogger });
    return { store, fsEvents, transitions, holdReads, jobId: job.job_id };
  }

  const processing = { generation: 1, status: ['processing'] as const };
  const completed = () => ({ type: 'completed' as const, warnings: [], shape: null });
  /** Resolves `work`, or rejects after `ms`: `done` must not wait for FINAL_EVENTS_WAIT_MS here. */
  const within = <T>(work: Promise<T>, ms = 1000) =>
    Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms))]);

  it('announces no done for a round a restart (generate-single) reopened before done was appended', async () => {
    const { store, fsEvents, transitions, holdReads, jobId } = await setUp(1);
    const reads = holdReads();
    const finishing = transitions.finish(jobId, 'file_001', { status: 'completed' }, processing, completed());
    await reads.waiting; // marked durably and announced; about to check the round before `done`
    const restarted = await store.restartFile(jobId, 'file_001', { face_limit: null, model_task_id: null }, { status: ['completed', 'failed'] });
    expect(restarted?.file.generation).toBe(2);
    await fsEvents.append(jobId, { type: 'progress', job_id: jobId, file_id: 'file_001', progress: 0 }); // as generate-single does
    reads.release();
    await within(finishing);
    // The old round's `done` would close every follower while generation 2 runs; its own mark announces `done`.
    expect((await fsEvents.since(jobId, null)).map((e) => e.type)).toEqual(['completed', 'progress']);
  });

  it("announces done at once when a file's final event is followed by a log line of its settled task", async () => {
    const { fsEvents, transitions, jobId } = await setUp(2);
    const failure = { code: 'PROCESSING_ERROR', message: 'Generation timed out after 1 s; retry the file' };
    await transitions.finish(jobId, 'file_002', { status: 'failed', error: failure }, processing, { type: 'failed', error: failure });
    // A timed-out generation that is still running logged after its file had failed.
    await fsEvents.append(jobId, { type: 'log', job_id: jobId, file_id: 'file_002', message: 'still working' });
    await within(transitions.finish(jobId, 'file_001', { status: 'completed' }, processing, completed()));
    const log = await fsEvents.since(jobId, null);
    expect(log.map((e) => e.type)).toEqual(['failed', 'log', 'completed', 'done']);
    expect(log.at(-1)).toMatchObject({ status: 'partial' });
  });
});
