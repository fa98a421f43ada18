import type { Redis } from 'ioredis';
import type { StorageUsage, StorageUsageCounter } from '../../storage/storage-usage.js';
import { callRedis } from './redis-errors.js';

/**
 * Distributed mode's storage counts: one Redis hash (`<prefix>storage-usage`, fields `objects` and
 * `bytes`) that every process changes with HINCRBY, so concurrent changes never lose one another.
 */
export class RedisStorageUsage implements StorageUsageCounter {
  private readonly redis: Redis;
  private readonly key: string;

  constructor(opts: { redis: Redis; prefix: string }) {
    this.redis = opts.redis;
    this.key = `${opts.prefix}storage-usage`;
  }

  async add(delta: StorageUsage): Promise<void> {
    await callRedis(() => this.redis.multi().hincrby(this.key, 'objects', delta.objects).hincrby(this.key, 'bytes', delta.bytes).exec());
  }

  async read(): Promise<StorageUsage> {
    const [objects, bytes] = await callRedis(() => this.redis.hmget(this.key, 'objects', 'bytes'));
    return { objects: Number(objects ?? 0), bytes: Number(bytes ?? 0) };
  }

  async close(): Promise<void> {
    // Nothing held here: every change is in Redis when `add` resolves.
  }
}
