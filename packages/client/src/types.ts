import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouterRecord, ClientRouter } from './generated/api-types.js';

export type { ApiErrorShape, ClientRouter, ErrorBody, ServerErrorCode, UploadResponse, WebhookEvent } from './generated/api-types.js';

/** Every procedure's input, by path: `RouterInputs['status']['get']` is `{ job_id, session_id? }`. */
export type RouterInputs = inferRouterInputs<ClientRouter>;
/** Every procedure's output, by path: `RouterOutputs['status']['get']` is a {@link JobStatus}. */
export type RouterOutputs = inferRouterOutputs<ClientRouter>;

/** A batch job and every file in it, as `status.get` returns it. */
export type JobStatus = RouterOutputs['status']['get'];
/** One file of a job: its status, progress, `model_url` once completed, `error` once failed. */
export type JobFile = JobStatus['files'][number];

/** A page of the caller's jobs, as `jobs.list` returns it. */
export type JobPage = RouterOutputs['jobs']['list'];
/** One job in a list: its status, counts, progress and times (no files). */
export type JobListItem = JobPage['jobs'][number];
/** What `jobs.list` and `allJobs` filter by: `status`, `created_after`, `created_before` (and `limit`, per page). */
export type JobListQuery = Omit<RouterInputs['jobs']['list'], 'cursor'>;

/** A model's print-readiness report, as `models.printReport` (`GET /download/{job_id}/{file_id}/report`) returns it. */
export type PrintReport = RouterOutputs['models']['printReport'];
/** `printable`, `repairable` (the reasons say what to do) or `not_printable` (the reasons say why). */
export type PrintStatus = PrintReport['verdict'];

/** A job's webhook deliveries, as `jobs.webhooks` returns them (in the order queued). */
export type WebhookDeliveries = RouterOutputs['jobs']['webhooks'];
/** One webhook delivery: its event id, type, state, attempts, last status or error, next attempt. */
export type WebhookDelivery = WebhookDeliveries['deliveries'][number];

type SubscriptionData<T> = T extends AsyncIterable<infer TTracked> ? (TTracked extends { data: infer TData } ? TData : never) : never;

/** One job event: `progress`, `log`, `completed` or `failed` for a file, then `done` for the job. */
export type JobEvent = SubscriptionData<AppRouterRecord['status']['onEvents']['_def']['$types']['output']>;
/** A job event with its id: pass the id as `lastEventId` to resume after it. */
export type TrackedJobEvent = JobEvent & { id: string };
/** The job's last event: every file has completed or failed. */
export type JobDoneEvent = Extract<TrackedJobEvent, { type: 'done' }>;
