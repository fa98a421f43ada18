import {
  createJobService,
  createReconciler,
  FsBlobStorage,
  FsJobEvents,
  FsJobStore,
  MemoryJobQueue,
  type BlobStorage,
  type JobEvents,
  type JobQueue,
  type JobService,
  type JobStore,
  type Logger,
  type ModelProvider,
} from '@image2model/core';
import { defaultConcurrency } from './providers.js';

export interface Runtime {
  store: JobStore;
  events: JobEvents;
  queue: JobQueue;
  storage: BlobStorage;
  provider: ModelProvider;
  jobs: JobService;
  /** Starts consuming the queue in this process and re-enqueues work a previous run left. */
  startWorker(): Promise<number>;
  close(opts?: { graceMs?: number }): Promise<void>;
}

export interface EmbeddedRuntimeOptions {
  dataDir: string;
  uploadTempDir: string;
  logger: Logger;
  /** Files generated at once. @default defaultConcurrency(provider) */
  concurrency?: number;
  provider: ModelProvider;
  /** See JobServiceDeps.generationTimeoutMs. */
  generationTimeoutMs?: number;
  /** How often files with nothing queued to run them are queued again (RECONCILE_INTERVAL_MS). @default 60_000 */
  reconcileIntervalMs?: number;
  /** Tests: what the job service enqueues through and stores through, in front of the real ones. */
  wrapQueue?: ((queue: JobQueue) => JobQueue) | undefined;
  wrapStore?: ((store: JobStore) => JobStore) | undefined;
}

/** Embedded mode: state and events under DATA_DIR and the in-process queue, in this one process. */
export async function createEmbeddedRuntime(opts: EmbeddedRuntimeOptions): Promise<Runtime> {
  // The store recovers lost final events into the same log the service serves from.
  const events = new FsJobEvents({ root: opts.dataDir, logger: opts.logger });
  const store = await FsJobStore.open({ root: opts.dataDir, logger: opts.logger, events });
  const storage = new FsBlobStorage({ root: opts.dataDir });
  const { provider } = opts;
  const queue = new MemoryJobQueue({ concurrency: opts.concurrency ?? defaultConcurrency(provider), logger: opts.logger });
  const jobs = createJobService({
    store: opts.wrapStore ? opts.wrapStore(store) : store,
    queue: opts.wrapQueue ? opts.wrapQueue(queue) : queue,
    events,
    storage,
    provider,
    logger: opts.logger,
    uploadTempDir: opts.uploadTempDir,
    generationTimeoutMs: opts.generationTimeoutMs,
  });
  // One process owns the queue and the store, so only a failure that escaped every other repair
  // leaves a file with nothing queued; the same pass as at start picks it up.
  const reconciler = createReconciler({ reconcile: () => jobs.resumeUnfinished(), intervalMs: opts.reconcileIntervalMs ?? 60_000, logger: opts.logger });

  return {
    store,
    events,
    queue,
    storage,
    provider,
    jobs,
    async startWorker() {
      await provider.warmUp?.();
      queue.process(
        (task, context) => jobs.processTask(task, context),
        (task, reason, error) => jobs.abandonTask(task, reason, error),
      );
      const resumed = await jobs.resumeUnfinished();
      reconciler.start();
      return resumed;
    },
    async close({ graceMs = 10_000 } = {}) {
      await reconciler.stop();
      await queue.close({ graceMs });
      await provider.close?.();
      await events.close();
      await store.close();
    },
  };
}

