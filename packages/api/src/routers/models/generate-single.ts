import type { TripoOptions } from '@image2model/core';
import { apiKeyProcedure } from '../../trpc.js';
import { TRIPO_OPTION_FIELDS } from '../../schemas.js';
import { GenerateSingleInputSchema, GenerateSingleResponseSchema } from './generate-single.types.js';
import { accessFor } from '../../wire.js';
import { idempotent } from '../../idempotent.js';

export const generateSingle = apiKeyProcedure
  .meta({
    openapi: {
      method: 'POST',
      path: '/models/generate-single',
      tags: ['models'],
      summary: 'Generate one file of a job again',
      description:
        "Re-generates one uploaded image, e.g. to retry a failure or to change face_limit (omitted: the file's previous limit). The FAL Tripo options (texture, pbr, seed, texture_seed, texture_alignment, orientation, auto_size) work the same way: each one given replaces the file's previous value, the others are kept; they are sent to FAL only when set, and the local generator ignores them. Tripo's `quad` option is not offered: it makes FAL return an FBX model, and this service stores and serves GLB. Needs the owner's API key (a session_id is read-only). 409 CONFLICT while that file is still pending or processing; 429 `RATE_LIMIT_EXCEEDED` with `details.reason: \"active_files\"` when the key already has as many files pending or processing as the server allows. Idempotent with an `Idempotency-Key` header (or the `idempotency_key` field): the same request again within 24 h gets the first answer back (`Idempotent-Replayed: true`) and queues nothing.",
      protect: true,
      successDescription: 'The file is queued again',
    },
  })
  .input(GenerateSingleInputSchema)
  .output(GenerateSingleResponseSchema)
  .mutation(
    idempotent(({ ctx, input }) => {
      const { job_id, file_id, face_limit, webhook_url } = input;
      const tripo_options: TripoOptions = {};
      for (const key of TRIPO_OPTION_FIELDS) if (input[key] !== undefined) Object.assign(tripo_options, { [key]: input[key] });
      return ctx.services.jobs.generateSingle(
        {
          job_id,
          file_id,
          ...(face_limit !== undefined ? { face_limit } : {}),
          ...(Object.keys(tripo_options).length > 0 ? { tripo_options } : {}),
          ...(webhook_url !== undefined ? { webhook_url } : {}),
        },
        accessFor(ctx, null),
      );
    }),
  );
