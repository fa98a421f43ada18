import { z } from 'zod';
import { DEFAULT_MAX_ACTIVE_FILES_PER_KEY, DEFAULT_MAX_FILE_SIZE_MB, DEFAULT_MAX_FILES } from '@image2model/core/limits';
import { DEFAULT_WEBHOOK_RETRY_SCHEDULE, DEFAULT_WEBHOOK_TIMEOUT_MS, isWebhookSecret, parseRetrySchedule, parseWebhookUrl, type RetrySchedule, type WebhookSubscriptionConfig } from '@image2model/core';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';
import type { WebhookSending } from './process/webhook-delivery.js';

const commaList = z
  .string()
  .optional()
  .transform((value) => (value ?? '').split(',').map((key) => key.trim()).filter((key) => key.length > 0));

/** The longest an S3 presigned URL (SigV4) can be valid. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** `true` or `false`, false when unset. */
const flag = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .default('false')
  .transform((value) => value === 'true');

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Where jobs, uploads, models and the generated API key live. */
  DATA_DIR: z.string().min(1).default('./data'),
  API_KEYS: commaList,
  ADMIN_API_KEYS: commaList,
  RATE_LIMIT_PER_MINUTE: positiveInt(60),
  RATE_LIMIT_PER_HOUR: positiveInt(1000),
  MAX_FILES: positiveInt(DEFAULT_MAX_FILES),
  /** The most calls one tRPC batch may make; each counts against the rate limits. */
  MAX_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(25),
  MAX_FILE_SIZE_MB: z.coerce.number().positive().max(1024).default(DEFAULT_MAX_FILE_SIZE_MB),
  /** Unset: embedded mode. Set: distributed mode (API processes + `npm run start:worker` processes). */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Distributed mode: prepended to every Redis key, so several deployments can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{1,100}$/, 'letters, digits and : _ . - only')
    .default('i2m:'),
  /** A second port serving only GET /metrics, without a key (keep it on a private network). */
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Distributed mode: how long a worker's claim on a running file lasts without being renewed. */
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** How often a worker queues files that are pending or processing with nothing queued to run them. */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(60_000),
  /** Hours a finished job is kept after its last change (fractions allowed); 0 keeps jobs forever. */
  RETENTION_HOURS: z.coerce.number().min(0).max(1_000_000).default(168),
  /** How often jobs past RETENTION_HOURS are deleted (also once at start). */
  RETENTION_SWEEP_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** SIGTERM: how long in-flight requests, streams and generations get before they are handed off. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Unset: the local generator. */
  FAL_KEY: z.string().min(1).optional(),
  /** Sends every FAL request (queue, storage, CDN) to this origin instead: the emulator in tests. */
  FAL_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Unset: blobs (photos, models, previews) under DATA_DIR. Set: in this S3 bucket, and DATA_DIR holds temporary files only. */
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, '3 to 63 lowercase letters, digits, dots and hyphens (an S3 bucket name)')
    .optional(),
  /** An S3-compatible server's address (MinIO, Ceph RGW, R2, …); unset for AWS itself. */
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** The bucket's region (AWS), or what the S3-compatible server expects. */
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Path-style addressing (`endpoint/bucket/key`), which most S3-compatible servers need. */
  S3_FORCE_PATH_STYLE: flag,
  /** Prepended to every object key, so several deployments can share a bucket (e.g. `image2model/`). */
  S3_PREFIX: z
    .string()
    .regex(/^(?:[A-Za-z0-9_.-]+\/)*$/, 'path segments of letters, digits and _ . - each ending in /, e.g. image2model/ (or empty)')
    .refine((prefix) => !prefix.split('/').some((segment) => segment === '.' || segment === '..'), 'no . or .. segments')
    .default(''),
  /** Where clients reach the bucket, when not at S3_ENDPOINT (presigned URLs are signed for it). */
  S3_PUBLIC_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * `stream`: models are sent through the API process. `redirect` (needs S3_BUCKET): a model
   * download answers 302 to a presigned bucket URL valid for 5 minutes.
   */
  DOWNLOAD_MODE: z.enum(['stream', 'redirect']).default('stream'),
  /**
   * `presigned` (needs S3_BUCKET reachable from the internet): FAL is handed a presigned GET URL of
   * the stored photo as `image_url` instead of a copy uploaded to FAL storage. `none`: uploaded.
   */
  S3_PUBLIC_READS: z.enum(['none', 'presigned']).default('none'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The origin that absolute URLs (model_url) use; default: each request's own origin. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional().transform((url) => url?.replace(/\/+$/, '')),
  /**
   * Which proxies to believe about the client (X-Forwarded-For, -Proto), as Express's `trust proxy`:
   * `true`, a hop count, or addresses/ranges/names; default: none, the socket's peer is the client.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx): TrustProxy => {
      const parsed = parseTrustProxy(value);
      if (parsed === null) {
        ctx.addIssue({ code: 'custom', message: 'true, false, a hop count, or comma-separated IP addresses, CIDR ranges and loopback/linklocal/uniquelocal' });
        return z.NEVER;
      }
      return parsed;
    }),
  /** Browser origins allowed by CORS (comma separated); none by default. */
  CORS_ORIGINS: commaList,
  /** A generation that takes longer fails and frees its slot; default 10 min (local), 70 min (FAL). */
  GENERATION_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  /** Generations at once per process (embedded server, or each worker); default: the generator pool's size. */
  WORKER_CONCURRENCY: z.coerce.number().int().positive().optional(),
  /**
   * Pending + processing files per API key: an upload, retry or generate-single past it is a 429.
   * Empty counts as unset (the default); 0 is refused like any other non-positive limit.
   */
  MAX_ACTIVE_FILES_PER_KEY: positiveInt(DEFAULT_MAX_ACTIVE_FILES_PER_KEY),
  /** Open event streams and downloads at once per API key (per client IP for session_id access). */
  MAX_STREAMS_PER_KEY: positiveInt(50),
  /** A download or ZIP whose client takes no bytes for this long is cut. */
  SLOW_READER_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** Where the webhook events of jobs that name no `webhook_url` go; needs PUBLIC_URL. */
  WEBHOOK_URL: z.string().optional(),
  /** Accept `http://` webhook URLs too (tests, private deployments). */
  WEBHOOK_ALLOW_HTTP: flag,
  /** Accept webhook URLs whose host is on a loopback, private or other non-public address (tests, private deployments). */
  WEBHOOK_ALLOW_PRIVATE: flag,
  /** The Standard Webhooks secret (`whsec_` and base64) webhooks are signed with; unset: generated at first start and kept in DATA_DIR. */
  WEBHOOK_SECRET: z.string().refine(isWebhookSecret, 'WEBHOOK_SECRET must be whsec_ followed by base64 (e.g. whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw)').optional(),
  /** How long one delivery attempt may take, connection to answer, before it counts as failed. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(DEFAULT_WEBHOOK_TIMEOUT_MS),
  /** The delays in seconds before each retry of a failed delivery, comma-separated (±10 % jitter); after the last, the delivery is exhausted. */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default(DEFAULT_WEBHOOK_RETRY_SCHEDULE)
    .transform((text, ctx): RetrySchedule => {
      try {
        return parseRetrySchedule(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** Delivery attempts in flight at once per process that sends (the embedded server, or each worker). */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(8),
}).superRefine((env, ctx) => {
  if (env.DOWNLOAD_MODE === 'redirect' && env.S3_BUCKET === undefined) {
    ctx.addIssue({ code: 'custom', path: ['DOWNLOAD_MODE'], message: 'DOWNLOAD_MODE=redirect needs S3_BUCKET: only a bucket can hand out presigned download URLs' });
  }
  if (env.S3_PUBLIC_READS === 'presigned' && env.S3_BUCKET === undefined) {
    ctx.addIssue({ code: 'custom', path: ['S3_PUBLIC_READS'], message: 'S3_PUBLIC_READS=presigned needs S3_BUCKET: only a bucket can hand FAL presigned photo URLs' });
  }
  if (env.S3_PUBLIC_READS === 'presigned' && env.GENERATION_TIMEOUT_MS !== undefined && env.GENERATION_TIMEOUT_MS * 2 > MAX_PRESIGN_SECONDS * 1000) {
    ctx.addIssue({ code: 'custom', path: ['GENERATION_TIMEOUT_MS'], message: 'With S3_PUBLIC_READS=presigned, GENERATION_TIMEOUT_MS can be at most 3.5 days: a photo URL is valid for twice the timeout, and S3 signs URLs for at most 7 days' });
  }
  if (env.WEBHOOK_URL === undefined) return;
  // Syntax, scheme and a literal address here; a host name is resolved and checked at every delivery.
  const check = parseWebhookUrl(env.WEBHOOK_URL, { allowHttp: env.WEBHOOK_ALLOW_HTTP, allowPrivate: env.WEBHOOK_ALLOW_PRIVATE });
  if (!check.ok) ctx.addIssue({ code: 'custom', path: ['WEBHOOK_URL'], message: `WEBHOOK_URL ${check.reason}` });
  if (env.PUBLIC_URL === undefined) {
    ctx.addIssue({ code: 'custom', path: ['WEBHOOK_URL'], message: "WEBHOOK_URL needs PUBLIC_URL: a webhook's model_url is built from it; set PUBLIC_URL to the origin receivers reach this server at" });
  }
});

export type Env = z.infer<typeof EnvSchema>;

/** Empty strings count as unset, so `FAL_KEY=` in a .env file means "no FAL". */
function dropEmpty(source: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = EnvSchema.safeParse(dropEmpty(source));
  if (!parsed.success) throw new Error(`Invalid environment:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Which webhook URLs jobs may name, and the default one (see docs/configuration.md, "Webhooks"). */
export function webhooksOf(env: Env): WebhookSubscriptionConfig {
  return {
    defaultUrl: env.WEBHOOK_URL ?? null,
    publicUrlSet: env.PUBLIC_URL !== undefined,
    policy: { allowHttp: env.WEBHOOK_ALLOW_HTTP, allowPrivate: env.WEBHOOK_ALLOW_PRIVATE },
  };
}

/** How webhooks are sent (the secret is resolved at start: see process/webhook-secret.ts). */
export function webhookSendingOf(env: Env, secret: string): WebhookSending {
  return { secret, timeoutMs: env.WEBHOOK_TIMEOUT_MS, schedule: env.WEBHOOK_RETRY_SCHEDULE, concurrency: env.WEBHOOK_CONCURRENCY, policy: webhooksOf(env).policy };
}

/** How long finished jobs are kept, and how often the expired ones are deleted. */
export function retentionOf(env: Env): { hours: number; sweepSeconds: number } {
  return { hours: env.RETENTION_HOURS, sweepSeconds: env.RETENTION_SWEEP_SECONDS };
}
