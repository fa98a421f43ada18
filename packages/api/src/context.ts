import type { Idempotency, JobEvents, JobService } from '@image2model/core';
import type { Principal } from './auth.js';
import type { LogEntry, LogQuery } from './routers/logs/get-logs.types.js';
import type { ReadinessReport } from './routers/health/get-readiness.types.js';
import type { SystemInfo } from './routers/admin/get-system-info.types.js';

/** What the procedures need, as small interfaces: no Express, Redis or BullMQ types leak to clients. */
export interface ApiServices {
  jobs: JobService;
  events: JobEvents;
  /** Runs the idempotent mutations (Idempotency-Key), over the mode's IdempotencyStore. */
  idempotency: Idempotency;
  readiness(): Promise<ReadinessReport>;
  systemInfo(): Promise<SystemInfo>;
  queryLogs(query: LogQuery): Promise<LogEntry[]>;
}

export interface Identity {
  /** An Authorization header was sent (a wrong one is 401 even with a valid session_id). */
  credentialsPresent: boolean;
  principal: Principal | null;
}

/** What a REST request says about idempotency; /trpc's batches share their headers, so its calls carry `idempotency_key` in their input instead. */
export interface RestIdempotency {
  /** The `Idempotency-Key` header as sent (unchecked), if any. */
  header: string | undefined;
  /** Marks the answer as the first request's, sent again: `Idempotent-Replayed: true`. */
  markReplayed(): void;
}

export interface Context {
  services: ApiServices;
  identity: Identity;
  /** Where absolute URLs point: PUBLIC_URL, else the request's origin. */
  publicUrl: string;
  requestId: string;
  /** Set on REST requests only. */
  idempotency?: RestIdempotency;
}
