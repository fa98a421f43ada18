/**
 * Distributed mode's adapters (Redis, BullMQ), as their own entry point: `@image2model/core/distributed`,
 * so embedded mode never loads ioredis or BullMQ.
 */
export { RedisJobStore, type RedisJobStoreOptions } from './adapters/redis/job-store.redis.js';
export { RedisFileTransitions, type RedisFileTransitionsOptions } from './adapters/redis/file-transitions.redis.js';
export { RedisJobEvents, type RedisJobEventsOptions } from './adapters/redis/job-events.redis.js';
export { callRedis } from './adapters/redis/redis-errors.js';
export { BullMqJobQueue, type BullMqJobQueueOptions, type BullMqQueueStats } from './adapters/bullmq/job-queue.bullmq.js';
export { withRedisLock } from './adapters/redis/redis-lock.js';
export { RedisTaskCancellation, type RedisTaskCancellationOptions } from './adapters/redis/task-cancellation.redis.js';
export { RedisIdempotencyStore, type RedisIdempotencyStoreOptions } from './adapters/redis/idempotency-store.redis.js';
export { RedisWebhookOutbox, type RedisWebhookOutboxOptions } from './adapters/redis/webhook-outbox.redis.js';
export { RedisUnfedJobs } from './adapters/redis/unfed-jobs.redis.js';
export { RedisStorageUsage } from './adapters/redis/storage-usage.redis.js';
