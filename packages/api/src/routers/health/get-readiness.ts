import { publicProcedure } from '../../trpc.js';
import { GetReadinessInputSchema, ReadinessReportSchema } from './get-readiness.types.js';

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
  .input(GetReadinessInputSchema)
  .output(ReadinessReportSchema)
  .query(({ ctx }) => ctx.services.readiness());
