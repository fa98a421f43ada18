import { z } from 'zod';
import { FaceLimitSchema, JobIdSchema, strict, WebhookUrlSchema } from '../../schemas.js';
import { FileIdsSchema } from './cancel-job.types.js';
import { IdempotencyKeyField } from '../../idempotency-key.js';

export const RetryJobInputSchema = z.object({
  job_id: JobIdSchema,
  file_ids: FileIdsSchema.optional(),
  face_limit: strict(FaceLimitSchema).optional().meta({ description: "The face limit for the retried files; left out, each file's previous one" }),
  webhook_url: WebhookUrlSchema.optional().meta({ description: "Replaces the job's webhook URL for the events that follow; left out, the job keeps its own" }),
  ...IdempotencyKeyField,
});

export const RetryJobResponseSchema = z
  .object({
    job_id: z.string(),
    status: z.literal('processing'),
    retried_file_ids: z.array(z.string()).meta({ description: 'The failed and cancelled files queued again' }),
  })
  .meta({ id: 'RetryJobResponse' });
