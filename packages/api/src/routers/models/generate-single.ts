import type { TRPCRouterRecord } from '@trpc/server';
import { apiKeyProcedure } from '../../trpc.js';
import { GenerateSingleInputSchema, GenerateSingleResponseSchema } from '../../schemas.js';
import { accessFor } from '../../wire.js';

export const generateSingle = apiKeyProcedure
  .meta({
    openapi: {
      method: 'POST',
      path: '/models/generate-single',
      tags: ['models'],
      summary: 'Generate one file of a job again',
      description:
        "Re-generates one uploaded image, e.g. to retry a failure or to change face_limit (omitted: the file's previous limit). Needs the owner's API key (a session_id is read-only). 409 CONFLICT while that file is still pending or processing.",
      protect: true,
      successDescription: 'The file is queued again',
    },
  })
  .input(GenerateSingleInputSchema)
  .output(GenerateSingleResponseSchema)
  .mutation(({ ctx, input }) => ctx.services.jobs.generateSingle(input, accessFor(ctx, null)));

export const modelsRouter = { generateSingle } satisfies TRPCRouterRecord;
