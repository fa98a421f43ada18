import { adminProcedure } from '../../trpc.js';
import { GetSystemInfoInputSchema, SystemInfoSchema } from './get-system-info.types.js';

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
  .input(GetSystemInfoInputSchema)
  .output(SystemInfoSchema)
  .query(({ ctx }) => ctx.services.systemInfo());
