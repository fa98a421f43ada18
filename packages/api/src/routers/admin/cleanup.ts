import { adminProcedure } from '../../trpc.js';
import { CleanupInputSchema, CleanupResponseSchema } from './cleanup.types.js';

export const cleanup = adminProcedure
  .meta({
    openapi: {
      method: 'POST',
      path: '/admin/cleanup',
      tags: ['admin'],
      summary: 'Delete old finished jobs and their files (admin key)',
      description: 'Deletes jobs that are not processing and were last updated more than older_than_hours ago (default 24), with every file they own. Never touches anything outside DATA_DIR.',
      protect: true,
    },
  })
  .input(CleanupInputSchema)
  .output(CleanupResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.jobs.cleanup(input.older_than_hours));
