import { adminProcedure } from '../../trpc.js';
import { LogQuerySchema, LogsResponseSchema } from './get-logs.types.js';

export const getLogs = adminProcedure
  .meta({
    openapi: {
      method: 'GET',
      path: '/logs',
      tags: ['logs'],
      summary: "The service's own structured log (admin key)",
      description: 'The newest `lines` entries (default 100, at most 10000) at or above `level` (ERROR > WARNING > INFO > DEBUG) and at or after `since` (ISO 8601), oldest first.',
      protect: true,
    },
  })
  .input(LogQuerySchema)
  .output(LogsResponseSchema)
  .query(async ({ ctx, input }) => {
    const logs = await ctx.services.queryLogs(input);
    return { logs, total_lines: logs.length };
  });
