import type { JobEvents, JobService } from '@image2model/core';
import type { Principal } from './auth.js';
import type { LogEntry, LogQuery } from './routers/logs/get-logs.types.js';
import type { ReadinessReport } from './routers/health/get-readiness.types.js';
import type { SystemInfo } from './routers/admin/get-system-info.types.js';

/** What the procedures need, as small interfaces: no Express, Redis or BullMQ types leak to clients. */
export interface ApiServices {
  jobs: JobService;
  events: JobEvents;
  readiness(): Promise<ReadinessReport>;
  systemInfo(): Promise<SystemInfo>;
  queryLogs(query: LogQuery): Promise<LogEntry[]>;
}

export interface Identity {
  /** An Authorization header was sent (a wrong one is 401 even with a valid session_id). */
  credentialsPresent: boolean;
  principal: Principal | null;
}

export interface Context {
  services: ApiServices;
  identity: Identity;
  /** Where absolute URLs point: PUBLIC_URL, else the request's origin. */
  publicUrl: string;
  requestId: string;
}
