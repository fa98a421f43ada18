import { z } from 'zod';
import { FileIdSchema, JobIdSchema, JobStateSchema } from '../../schemas.js';
import { IdempotencyKeyField } from '../../idempotency-key.js';

/** At most this many file ids per call: a job never has more files than one upload allows. */
export const MAX_FILE_IDS = 1000;

export const FileIdsSchema = z
  .array(FileIdSchema)
  .min(1)
  .max(MAX_FILE_IDS)
  .meta({ description: 'The files to act on (e.g. `["file_002"]`); left out, every file of the job' });

export const CancelJobInputSchema = z.object({
  job_id: JobIdSchema,
  file_ids: FileIdsSchema.optional(),
  ...IdempotencyKeyField,
});

export const CancelJobResponseSchema = z
  .object({
    job_id: z.string(),
    status: JobStateSchema.meta({ description: "The job's status after the cancel" }),
    cancelled_file_ids: z.array(z.string()).meta({ description: 'The files this call cancelled; empty when nothing was left to cancel' }),
  })
  .meta({ id: 'CancelJobResponse' });
