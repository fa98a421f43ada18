import type { TRPCRouterRecord } from '@trpc/server';
import { cancelJob } from './cancel-job.js';
import { listJobs } from './list-jobs.js';
import { retryJob } from './retry-job.js';

export const jobsRouter = { list: listJobs, cancel: cancelJob, retry: retryJob } satisfies TRPCRouterRecord;
