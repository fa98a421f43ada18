import { z } from 'zod';
import { JobIdSchema } from '../../schemas.js';
import { IdempotencyKeyField } from '../../idempotency-key.js';

export const RedeliverWebhooksInputSchema = z.object({ job_id: JobIdSchema, ...IdempotencyKeyField });

export const RedeliverWebhooksResponseSchema = z
  .object({
    job_id: z.string(),
    redelivered: z.int().min(0).meta({ description: 'How many exhausted deliveries were queued again; 0 when none was exhausted' }),
  })
  .meta({ id: 'RedeliverWebhooksResponse' });
