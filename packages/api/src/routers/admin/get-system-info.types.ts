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
    storage: z
      .object({
        backend: z.enum(['fs', 's3']).meta({ description: '`s3` with S3_BUCKET, else `fs` (DATA_DIR)' }),
        objects: z.int().meta({ description: "Stored blobs jobs own: photos, models, previews" }),
        bytes: z.int().meta({ description: 'Their total size, in bytes' }),
      })
      .meta({ description: 'Counts the service keeps as blobs are written and deleted (set right by one listing at start when they may be off), not a listing per call' }),
  })
  .meta({ id: 'SystemInfo' });
export type SystemInfo = z.infer<typeof SystemInfoSchema>;
