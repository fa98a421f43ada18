import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { publicProcedure } from '../../trpc.js';
import { HealthResponseSchema, ReadinessReportSchema } from '../../schemas.js';

export const getHealth = publicProcedure
  .meta({
    openapi: {
      method: 'GET',
      path: '/health',
      tags: ['health'],
      summary: 'Liveness: the process answers',
      description: 'Always `{"status":"healthy"}` while the process can answer; for the dependencies, see /health/ready. Needs no key and is not rate limited.',
    },
  })
  .input(z.object({}).optional())
  .output(HealthResponseSchema)
  .query(() => ({ status: 'healthy' as const }));

export const getReadiness = publicProcedure
  .meta({
    openapi: {
      method: 'GET',
      path: '/health/ready',
      tags: ['health'],
      summary: 'Readiness: every dependency this process needs',
      description:
        'Answers 503 with the same {status, checks} body (status "not_ready") when storage, or Redis when configured, fails. FAL being unreachable is reported but does not make the instance unready.',
    },
  })
  .input(z.object({}).optional())
  .output(ReadinessReportSchema)
  .query(({ ctx }) => ctx.services.readiness());

export const healthRouter = { get: getHealth, ready: getReadiness } satisfies TRPCRouterRecord;
