import { z } from 'zod';

export const GetSystemInfoInputSchema = z.object({}).optional();

export const SystemInfoSchema = z
  .object({
    system: z.object({
      platform: z.string(),
      cpu_count: z.int(),
      memory: z.object({ total: z.number(), available: z.number(), percent: z.number() }).meta({ description: 'MB' }),
      disk: z.object({ total: z.number(), used: z.number(), free: z.number(), percent: z.number() }).meta({ description: 'MB, of DATA_DIR' }),
    }),
    jobs: z.object({ active: z.int(), completed: z.int(), failed: z.int(), partial: z.int(), cancelled: z.int() }),
  })
  .meta({ id: 'SystemInfo' });
export type SystemInfo = z.infer<typeof SystemInfoSchema>;
