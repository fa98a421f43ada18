import { z } from 'zod';
import { FileErrorSchema, FileViewsSchema, FileWarningsSchema, FinalJobStateSchema, ModelShapeSchema, JobIdSchema, SessionIdSchema } from '../../schemas.js';

export const OnStatusEventsInputSchema = z.object({
  job_id: JobIdSchema,
  session_id: SessionIdSchema.optional(),
  /** tRPC's resume key (httpSubscriptionLink sends it after a reconnect). */
  lastEventId: z.string().max(64).nullish(),
});

/** One event of a job's stream, as both transports send it (the REST SSE `data:` lines, the subscription's items). */
export const JobEventWireSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), job_id: z.string(), file_id: z.string(), progress: z.int() }),
  z.object({ type: z.literal('log'), job_id: z.string(), file_id: z.string(), message: z.string(), level: z.enum(['info', 'warning']).optional() }),
  z.object({ type: z.literal('completed'), job_id: z.string(), file_id: z.string(), model_url: z.string(), warnings: FileWarningsSchema, shape: ModelShapeSchema, views: FileViewsSchema.optional() }),
  z.object({ type: z.literal('failed'), job_id: z.string(), file_id: z.string(), error: FileErrorSchema }),
  z.object({ type: z.literal('cancelled'), job_id: z.string(), file_id: z.string() }),
  z.object({ type: z.literal('done'), job_id: z.string(), status: FinalJobStateSchema }),
]);
export type JobEventWire = z.infer<typeof JobEventWireSchema>;
