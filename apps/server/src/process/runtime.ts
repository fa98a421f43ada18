import type { LogEntry, LogQuery } from '@image2model/api';
import type { BlobStorage, JobEvents, JobQueue, JobService, JobStore, ModelProvider, Reconciler } from '@image2model/core';
import type { RateLimiters } from '../http/rate-limit.js';
import type { QueueStats } from '../metrics/metrics.js';

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

/** What differs between the modes; everything else is built the same way. */
export interface ModeParts {
  runtime: Runtime;
  rateLimiters: RateLimiters;
  queryLogs(query: LogQuery): Promise<LogEntry[]>;
  pingRedis?: () => Promise<boolean>;
  queueStats(): Promise<QueueStats>;
  /** Worker processes connected (distributed mode). */
  connectedWorkers?: () => Promise<number>;
  /** Called after the HTTP server stopped accepting: in-process work and Redis close here. */
  close(graceMs: number): Promise<void>;
  /** Distributed mode ends live event streams first, so clients reconnect to another process. */
  endStreams?: () => Promise<void>;
}

/**
 * The worker half both runtimes share: warm the provider up, consume the queue, run the first
 * reconcile pass (`firstPass`, which says how many files it queued again), then keep reconciling;
 * closing stops in the reverse order and leaves the Redis client, if any, to its owner.
 */
export function workerLifecycle(parts: { provider: ModelProvider; queue: JobQueue; jobs: JobService; events: JobEvents; store: JobStore; reconciler: Reconciler }, firstPass: () => Promise<number>): Pick<Runtime, 'startWorker' | 'close'> {
  const { provider, queue, jobs, events, store, reconciler } = parts;
  return {
    async startWorker() {
      await provider.warmUp?.();
      queue.process(
        (task, context) => jobs.processTask(task, context),
        (task, reason, error) => jobs.abandonTask(task, reason, error),
      );
      const resumed = await firstPass();
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
