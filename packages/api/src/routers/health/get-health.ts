import { publicProcedure } from '../../trpc.js';
import { GetHealthInputSchema, HealthResponseSchema } from './get-health.types.js';

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
  .input(GetHealthInputSchema)
  .output(HealthResponseSchema)
  .query(() => ({ status: 'healthy' as const }));
