import type { Redis } from 'ioredis';
import type { TaskIdentity } from '../../jobs/job-queue.js';
import type { TaskCancellation } from '../../jobs/task-cancellation.js';
import type { Logger } from '../../logger.js';
import { callRedis } from './redis-errors.js';

export interface RedisTaskCancellationOptions {
  /** A connected client; shared, not closed here. Listening uses a duplicate of it. */
  redis: Redis;
  /** @default 'i2m:' */
  prefix?: string;
  logger?: Logger;
}

/**
 * TaskCancellation across processes (distributed mode): an API process publishes on one Redis
 * channel, and every worker process listening aborts the task if it runs it. Pub/sub is fire and
 * forget, which suits a hint: a worker that was reconnecting when it was sent still ends the task as
 * stale (its next progress mark or its final mark finds the file cancelled).
 */
export class RedisTaskCancellation implements TaskCancellation {
  private readonly channel: string;
  private subscriber: Redis | null = null;
  private readonly handlers = new Set<(task: TaskIdentity) => void>();

  constructor(private readonly opts: RedisTaskCancellationOptions) {
    this.channel = `${opts.prefix ?? 'i2m:'}cancelled-tasks`;
  }

  async announce(task: TaskIdentity): Promise<void> {
    const { job_id, file_id, generation } = task;
    await callRedis(() => this.opts.redis.publish(this.channel, JSON.stringify({ job_id, file_id, generation })));
  }

  listen(onCancel: (task: TaskIdentity) => void): () => void {
    this.handlers.add(onCancel);
    this.subscribe();
    return () => this.handlers.delete(onCancel);
  }

  async close(): Promise<void> {
    this.handlers.clear();
    const subscriber = this.subscriber;
    this.subscriber = null;
    if (subscriber) await subscriber.quit().catch(() => subscriber.disconnect());
  }

  /** One subscriber connection per process, made by the first listener. */
  private subscribe(): void {
    if (this.subscriber) return;
    const subscriber = this.opts.redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const task = parseTask(message);
      if (task) for (const handler of this.handlers) handler(task);
    });
    // ioredis re-subscribes by itself after a reconnect.
    subscriber.subscribe(this.channel).catch((error: unknown) => {
      this.opts.logger?.warn({ err: error }, 'Listening for cancelled tasks failed; cancelled work ends at its next mark');
    });
  }
}

function parseTask(message: string): TaskIdentity | null {
  try {
    const value = JSON.parse(message) as Partial<TaskIdentity>;
    if (typeof value.job_id === 'string' && typeof value.file_id === 'string' && typeof value.generation === 'number') {
      return { job_id: value.job_id, file_id: value.file_id, generation: value.generation };
    }
  } catch {
    // Not ours: another program publishing on the channel. Ignored.
  }
  return null;
}
