export * from './errors.js';
export * from './ids.js';
export * from './logger.js';

export * from './job-state.js';
export * from './jobs/job.js';
export { LEGACY_WARNING_CODE, MODEL_SHAPES, upgradeFileRecord, type FileWarning, type ModelShape } from './jobs/file-warnings.js';
export type { JobSummary } from './jobs/job-summary.js';
export type * from './jobs/job-store.js';
export type * from './jobs/job-queue.js';
export type * from './jobs/job-events.js';
export { followJobEvents, replayJobEvents, LiveEventFilter, type JobReplay } from './jobs/follow-job-events.js';
export type * from './jobs/job-service.js';
export type { JobPage, ListJobsInput } from './jobs/list-jobs.js';
export type { FileTransitions, FinalEvent } from './jobs/file-transitions.js';
export { canRead, isOwner } from './jobs/access.js';
export { viewFilenames } from './jobs/uploaded-photos.js';
export { createJobService, type JobServiceDeps, type ModelRedirect } from './jobs/create-job-service.js';
export type { ConvertedModel, ConvertedModelRequest, ModelConverter } from './jobs/converted-models.js';
export type { PhotoUrls } from './jobs/open-photos.js';
export type { PrintReport, PrintStatus, PrintVerdict } from './print-report.js';
export { createPeriodicPass, type PeriodicPass, type PeriodicPassOptions } from './jobs/periodic-pass.js';

export type * from './storage/blob-storage.js';
export { FsBlobStorage, sweepLeftovers, type FsBlobStorageOptions } from './storage/blob-storage.fs.js';
export { sweepFiles, type SweepOptions } from './storage/sweep-files.js';
export type { StorageUsage, StorageUsageCounter } from './storage/storage-usage.js';
export { CountedBlobStorage, reconcileStorageUsage } from './jobs/counted-storage.js';
export { FsStorageUsage } from './adapters/fs/storage-usage.fs.js';

export { FsJobStore, type FsJobStoreOptions } from './adapters/fs/job-store.fs.js';
export { FsJobEvents, type FsJobEventsOptions } from './adapters/fs/job-events.fs.js';
export { MemoryJobQueue, type MemoryJobQueueOptions } from './adapters/memory/job-queue.memory.js';
export { MemoryTaskCancellation } from './adapters/memory/task-cancellation.memory.js';
export type { TaskCancellation } from './jobs/task-cancellation.js';

export type * from './providers/model-provider.js';
export type * from './providers/model-generator.js';
export type { LocalPhoto, PhotoSource } from './providers/photo-source.js';
export { LocalProvider, type LocalProviderOptions } from './providers/local/local-provider.js';
export { FalProvider, type FalProviderOptions } from './providers/fal/fal-provider.js';
export type { FalRetryOptions } from './providers/fal/fal-retry.js';

export * from './idempotency/idempotency-store.js';
export { requestFingerprint } from './idempotency/fingerprint.js';
export { createIdempotency, type Idempotency, type IdempotentOutcome, type IdempotentRequest } from './idempotency/idempotency.js';
export { FsIdempotencyStore, type FsIdempotencyStoreOptions } from './adapters/fs/idempotency-store.fs.js';

export {
  buildWebhookMessage,
  isFinalJobEvent,
  webhookEventId,
  type FinalJobEvent,
  type WebhookBody,
  type WebhookEventType,
  type WebhookFileData,
  type WebhookMessage,
  type WebhookMessageInput,
} from './webhooks/webhook-message.js';
export { createWebhookSigner, generateWebhookSecret, isWebhookSecret, type WebhookSignatureHeaders } from './webhooks/webhook-signing.js';
export { DEFAULT_WEBHOOK_RETRY_SCHEDULE, parseRetrySchedule, type RetrySchedule } from './webhooks/retry-schedule.js';
export {
  checkWebhookUrl,
  isPublicAddress,
  MAX_WEBHOOK_URL_LENGTH,
  parseWebhookUrl,
  type ResolveHost,
  type WebhookUrlCheck,
  type WebhookUrlPolicy,
} from './webhooks/webhook-url-policy.js';
export { acceptWebhookUrl, NO_WEBHOOKS, webhookUrlForNewJob, type WebhookSubscriptionConfig } from './webhooks/webhook-subscription.js';
export { DEFAULT_WEBHOOK_TIMEOUT_MS, sendWebhook, type SendWebhookInput, type WebhookAttemptResult } from './webhooks/send-webhook.js';
export { GONE_REASON } from './webhooks/webhook-outbox.js';
export type { JobWebhookDeliveries, RedeliverWebhooksResult, WebhookDeliveryView } from './webhooks/webhook-deliveries.js';
export type * from './webhooks/webhook-outbox.js';
export { WebhookDispatcher, type WebhookAttemptKind, type WebhookDispatcherOptions, type WebhookDispatchMetrics } from './webhooks/webhook-dispatcher.js';
export { createWebhookFeeder, type WebhookFeeder, type WebhookFeederDeps } from './webhooks/feed-webhooks.js';
export { feedUnfedJobs, type UnfedJobs } from './webhooks/unfed-jobs.js';
export { SqliteWebhookOutbox, type SqliteWebhookOutboxOptions } from './adapters/fs/webhook-outbox.sqlite.js';
