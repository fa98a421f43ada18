import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FsJobEvents } from '../adapters/fs/job-events.fs.js';
import { FsJobStore } from '../adapters/fs/job-store.fs.js';
import { MemoryJobQueue } from '../adapters/memory/job-queue.memory.js';
import { createJobService } from '../jobs/create-job-service.js';
import type { JobEvent, JobEvents } from '../jobs/job-events.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { JobService } from '../jobs/job-service.js';
import type { JobStore } from '../jobs/job-store.js';
import type { TaskCancellation } from '../jobs/task-cancellation.js';
import { silentLogger, type Logger } from '../logger.js';
import { FakeModelProvider } from './fake-model-provider.js';
import type { ModelProvider } from '../providers/model-provider.js';
import { FsBlobStorage } from '../storage/blob-storage.fs.js';

export const OWNER = 'a'.repeat(64);
export const OTHER_OWNER = 'b'.repeat(64);

export interface ServiceInstance {
  service: JobService;
  store: FsJobStore;
  events: FsJobEvents;
  queue: MemoryJobQueue;
  storage: FsBlobStorage;
  /** Stops this instance like a crash would: running tasks are aborted, nothing more is written. */
  stop(): Promise<void>;
}

/** A data directory plus everything the service needs, all real except the provider. */
export async function createServiceHarness() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'i2m-service-'));
  const uploadTempDir = path.join(root, 'tmp');
  await mkdir(uploadTempDir);
  const instances: ServiceInstance[] = [];
  let offsetMs = 0;
  let tempCounter = 0;

  async function start(
    opts: {
      provider?: ModelProvider;
      concurrency?: number;
      maxAttempts?: number;
      logger?: Logger;
      generationTimeoutMs?: number;
      maxActiveFilesPerOwner?: number;
      /** Where cancels reach the running tasks; none by default (cancelled work ends at its next mark). */
      cancellation?: TaskCancellation;
      cancelRecordWaitMs?: number;
      /** Failures injected under the service: the service sees what these return. */
      wrapStore?: (store: JobStore) => JobStore;
      wrapQueue?: (queue: JobQueue) => JobQueue;
    } = {},
  ): Promise<ServiceInstance> {
    const events = new FsJobEvents({ root });
    const store = await FsJobStore.open({ root, events });
    const storage = new FsBlobStorage({ root });
    const queue = new MemoryJobQueue({ concurrency: opts.concurrency ?? 2, maxAttempts: opts.maxAttempts ?? 3, backoffMs: 5 });
    const service = createJobService({
      store: opts.wrapStore ? opts.wrapStore(store) : store,
      queue: opts.wrapQueue ? opts.wrapQueue(queue) : queue,
      events,
      storage,
      provider: opts.provider ?? new FakeModelProvider(),
      logger: opts.logger ?? silentLogger,
      now: () => new Date(Date.now() + offsetMs),
      uploadTempDir,
      ...(opts.generationTimeoutMs !== undefined ? { generationTimeoutMs: opts.generationTimeoutMs } : {}),
      ...(opts.maxActiveFilesPerOwner !== undefined ? { maxActiveFilesPerOwner: opts.maxActiveFilesPerOwner } : {}),
      ...(opts.cancellation ? { cancellation: opts.cancellation } : {}),
      ...(opts.cancelRecordWaitMs !== undefined ? { cancelRecordWaitMs: opts.cancelRecordWaitMs } : {}),
    });
    queue.process(
      (task, ctx) => service.processTask(task, ctx),
      (task, reason, error) => service.abandonTask(task, reason, error),
    );
    const instance: ServiceInstance = {
      service,
      store,
      events,
      queue,
      storage,
      async stop() {
        await queue.close({ graceMs: 0 });
        await store.close();
        await events.close();
      },
    };
    instances.push(instance);
    return instance;
  }

  /** Writes temp "uploads" and creates a job from them. */
  async function upload(service: JobService, names: string[] = ['photo.png'], face_limit: number | null = null, owner: string = OWNER) {
    const images = await Promise.all(
      names.map(async (filename) => {
        const temp_path = path.join(uploadTempDir, `upload-${++tempCounter}`);
        await writeFile(temp_path, `image bytes of ${filename}`);
        return { filename, temp_path, format: filename.endsWith('.png') ? ('png' as const) : ('jpg' as const) };
      }),
    );
    return service.createJob({ owner, face_limit, images });
  }

  return {
    root,
    uploadTempDir,
    start,
    upload,
    /** Moves the service's clock (not the store's) forward. */
    advanceClock(ms: number) {
      offsetMs += ms;
    },
    async cleanup() {
      for (const instance of instances) await instance.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Follows a job's events (replay, then live) until the `done` after `afterId`, like the SSE route. */
export async function eventsUntilDone(events: JobEvents, jobId: string, afterId: string | null = null, timeoutMs = 5000): Promise<JobEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const live = events.subscribe(jobId, { signal: controller.signal });
    const seen = await events.since(jobId, afterId);
    if (seen.at(-1)?.type === 'done') return seen;
    for await (const event of live) {
      const newest = seen.at(-1);
      if (newest && events.compareIds(event.id, newest.id) <= 0) continue;
      seen.push(event);
      if (event.type === 'done') return seen;
    }
    throw new Error(`no done event within ${timeoutMs} ms; got ${JSON.stringify(seen.map((e) => e.type))}`);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

/** A logger that records what was logged, for asserting on it. */
export function recordingLogger() {
  const records: { level: string; obj: object; msg: string | undefined }[] = [];
  const make = (bindings: object): Logger => ({
    debug: (obj, msg) => records.push({ level: 'debug', obj: { ...bindings, ...obj }, msg }),
    info: (obj, msg) => records.push({ level: 'info', obj: { ...bindings, ...obj }, msg }),
    warn: (obj, msg) => records.push({ level: 'warn', obj: { ...bindings, ...obj }, msg }),
    error: (obj, msg) => records.push({ level: 'error', obj: { ...bindings, ...obj }, msg }),
    child: (more) => make({ ...bindings, ...more }),
  });
  return { logger: make({}), records };
}
