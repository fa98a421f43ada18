import type { TRPCRouterRecord } from '@trpc/server';
import { cancelJob } from './cancel-job.js';
import { retryJob } from './retry-job.js';

export const jobsRouter = { cancel: cancelJob, retry: retryJob } satisfies TRPCRouterRecord;
