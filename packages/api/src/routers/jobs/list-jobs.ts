import { apiKeyProcedure } from '../../trpc.js';
import { accessFor } from '../../wire.js';
import { ListJobsInputSchema, ListJobsResponseSchema } from './list-jobs.types.js';

export const listJobs = apiKeyProcedure
  .meta({
    openapi: {
      method: 'GET',
      path: '/jobs',
      tags: ['jobs'],
      summary: "The caller's jobs, newest first",
      description:
        "The jobs this API key created, newest first (ties broken by job id), a page of `limit` at a time: pass `next_cursor` as `cursor` for the next one. Walking every page returns each job that existed when the walk began exactly once, however many are created meanwhile (they come before the first page). Filters: `status` (repeated or comma-separated), `created_after` and `created_before` (ISO 8601, exclusive). Every key, an admin key included, lists only its own jobs; a session_id lists nothing. A cursor changed by hand or given to another key: 400 VALIDATION_ERROR.",
      protect: true,
      successDescription: 'One page of jobs',
    },
  })
  .input(ListJobsInputSchema)
  .output(ListJobsResponseSchema)
  .query(async ({ ctx, input }) => {
    // Each list item is core's job summary as it is (its fields are the wire's, in their order).
    return ctx.services.jobs.listJobs(
      {
        statuses: input.status ?? [],
        limit: input.limit,
        ...(input.cursor !== undefined ? { cursor: input.cursor } : {}),
        ...(input.created_after !== undefined ? { created_after: input.created_after } : {}),
        ...(input.created_before !== undefined ? { created_before: input.created_before } : {}),
      },
      accessFor(ctx, null),
    );
  });
