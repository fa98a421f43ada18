import { z } from 'zod';
import { readerProcedure } from '../../trpc.js';
import { JobIdSchema, SessionIdSchema } from '../../schemas.js';
import { accessFor } from '../../wire.js';
import { streamJobEvents } from './stream-job-events.js';

/**
 * The job's events as a subscription (SSE on /trpc). `GET /api/v1/status/stream/{job_id}` iterates
 * this same procedure, so both transports always agree. Visibility is checked before the first
 * event, so an unknown job is a plain 404.
 */
export const onStatusEvents = readerProcedure
  .input(
    z.object({
      job_id: JobIdSchema,
      session_id: SessionIdSchema.optional(),
      /** tRPC's resume key (httpSubscriptionLink sends it after a reconnect). */
      lastEventId: z.string().max(64).nullish(),
    }),
  )
  .subscription(async ({ ctx, input, signal }) => {
    const { job } = await ctx.services.jobs.getJob(input.job_id, accessFor(ctx, input.session_id));
    return streamJobEvents({
      events: ctx.services.events,
      jobId: job.job_id,
      sessionId: job.session_id,
      publicUrl: ctx.publicUrl,
      lastEventId: input.lastEventId ?? null,
      signal,
    });
  });
