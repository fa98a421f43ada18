import { z } from 'zod';
import { FileErrorSchema, FileStatusSchema, FileViewsSchema, FileWarningsSchema, ModelShapeSchema, JobIdSchema, JobStateSchema, JobTimesSchema, SessionIdSchema } from '../../schemas.js';

export const GetStatusInputSchema = z.object({ job_id: JobIdSchema, session_id: SessionIdSchema.optional() });

const JobFileSchema = z
  .object({
    file_id: z.string(),
    filename: z.string(),
    status: FileStatusSchema,
    progress: z.int().min(0).max(100),
    model_url: z.string().nullable().meta({ description: 'Absolute URL that downloads the GLB, once completed' }),
    preview_url: z.string().nullable().meta({ description: 'Absolute URL of a PNG preview, when one exists' }),
    model_task_id: z.string().nullable().meta({ description: "The provider's task id; null until it exists" }),
    face_limit: z.int().nullable(),
    error: FileErrorSchema.nullable().optional(),
    warnings: FileWarningsSchema,
    shape: ModelShapeSchema,
    views: FileViewsSchema.optional(),
  })
  .meta({ id: 'JobFile' });

export const JobStatusResponseSchema = z
  .object({
    job_id: z.string(),
    session_id: z.string(),
    status: JobStateSchema,
    total_files: z.int(),
    processed_files: z.int().meta({ description: 'Completed files' }),
    failed_files: z.int(),
    cancelled_files: z.int(),
    progress: z.number().meta({ description: 'Mean file progress, 0–100, two decimals; completed, failed and cancelled files count 100' }),
    ...JobTimesSchema.shape,
    webhook_url: z
      .string()
      .nullable()
      .meta({ description: "Where the job's webhook events go: the upload's `webhook_url`, else the server's default at upload, replaced by a retry or generate-single naming one; null = none" }),
    files: z.array(JobFileSchema),
  })
  .meta({ id: 'JobStatus' });
