import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { adminProcedure } from '../../trpc.js';
import { CleanupInputSchema, CleanupResponseSchema, SystemInfoSchema } from '../../schemas.js';

export const getSystemInfo = adminProcedure
  .meta({
    openapi: {
      method: 'GET',
      path: '/admin/system-info',
      tags: ['admin'],
      summary: 'Machine and job counts (admin key)',
      description: 'Memory and disk (of DATA_DIR) in MB. `jobs.partial` counts jobs where some files failed.',
      protect: true,
    },
  })
  .input(z.object({}).optional())
  .output(SystemInfoSchema)
  .query(({ ctx }) => ctx.services.systemInfo());

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

export const adminRouter = { systemInfo: getSystemInfo, cleanup } satisfies TRPCRouterRecord;
