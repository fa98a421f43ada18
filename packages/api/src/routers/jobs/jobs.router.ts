import type { TRPCRouterRecord } from '@trpc/server';
import { cancelJob } from './cancel-job.js';
import { listJobs } from './list-jobs.js';
import { listWebhookDeliveries } from './list-webhook-deliveries.js';
import { redeliverWebhooks } from './redeliver-webhooks.js';
import { retryJob } from './retry-job.js';

export const jobsRouter = {
  list: listJobs,
  cancel: cancelJob,
  retry: retryJob,
  webhooks: listWebhookDeliveries,
  redeliverWebhooks,
} satisfies TRPCRouterRecord;
