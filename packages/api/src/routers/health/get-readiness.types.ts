import { z } from 'zod';

export const GetReadinessInputSchema = z.object({}).optional();

export const ReadinessReportSchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.record(z.string(), z.string()).meta({
      description: 'storage: writable|unwritable; storage_backend: fs (DATA_DIR)|s3 (a bucket, S3_BUCKET); redis: connected|disconnected|not_configured; fal_api: reachable|unreachable|not_configured',
    }),
  })
  .meta({ id: 'Readiness' });
export type ReadinessReport = z.infer<typeof ReadinessReportSchema>;
