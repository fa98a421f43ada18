import { readerProcedure } from '../../trpc.js';
import { GetStatusInputSchema, JobStatusResponseSchema } from './get-status.types.js';
import { accessFor, toJobStatus } from '../../wire.js';

export const getStatus = readerProcedure
  .meta({
    openapi: {
      method: 'GET',
      path: '/status/{job_id}',
      tags: ['status'],
      summary: 'Get a batch job',
      description: 'Visible to the API key that created the job, or with its session_id. Anyone else gets 404.',
      protect: true,
    },
  })
  .input(GetStatusInputSchema)
  .output(JobStatusResponseSchema)
  .query(async ({ ctx, input }) => {
    const job = await ctx.services.jobs.getJob(input.job_id, accessFor(ctx, input.session_id));
    return toJobStatus(job, ctx.services.jobs.summarize(job), ctx.publicUrl);
  });
