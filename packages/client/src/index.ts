export { createImage2ModelClient, type Image2ModelClient, type Image2ModelHelpers, type WaitForJobOptions } from './client.js';
export { normalizeBaseUrl, type EventSourceConstructor, type Image2ModelClientOptions, type ReconnectOptions, type RetryOptions } from './config.js';
export { Image2ModelError, isImage2ModelError, type ClientErrorCode, type Image2ModelErrorCode, type Image2ModelErrorInit } from './errors.js';
export type { Download, DownloadOptions } from './downloads.js';
export type { EventsOptions, WatchOptions } from './events.js';
export type { NamedUploadSource, UploadOptions, UploadSource } from './upload.js';
export { VIEW_NAMES, type MultiviewSources, type ViewName } from './upload-multiview.js';
export { verifyWebhook, type WebhookHeaders } from './verify-webhook.js';
export type * from './types.js';
