import { z } from 'zod';
import { IdempotencyKeyField } from '../../idempotency-key.js';
import { FaceLimitSchema, FileIdSchema, JobIdSchema, strict, strictBoolean, TRIPO_DOCS, TripoOptionsSchema, TripoSeedSchema, WebhookUrlSchema } from '../../schemas.js';

/** The same options as JSON body fields, where numbers and booleans must really be JSON numbers and booleans. */
const TripoJsonFields = {
  texture: TripoOptionsSchema.shape.texture,
  pbr: strictBoolean(z.boolean()).optional().meta({ description: TRIPO_DOCS.pbr }),
  seed: strict(TripoSeedSchema).optional().meta({ description: TRIPO_DOCS.seed, example: 42 }),
  texture_seed: strict(TripoSeedSchema).optional().meta({ description: TRIPO_DOCS.texture_seed }),
  texture_alignment: TripoOptionsSchema.shape.texture_alignment,
  orientation: TripoOptionsSchema.shape.orientation,
  auto_size: strictBoolean(z.boolean()).optional().meta({ description: TRIPO_DOCS.auto_size }),
};

export const GenerateSingleInputSchema = z.object({
  job_id: JobIdSchema,
  file_id: FileIdSchema,
  face_limit: strict(FaceLimitSchema).optional(),
  ...TripoJsonFields,
  webhook_url: WebhookUrlSchema.optional().meta({ description: "Replaces the job's webhook URL for the events that follow; left out, the job keeps its own" }),
  ...IdempotencyKeyField,
});

export const GenerateSingleResponseSchema = z
  .object({
    job_id: z.string(),
    file_id: z.string(),
    model_task_id: z.string().nullable(),
    status: z.literal('processing'),
  })
  .meta({ id: 'GenerateSingleResponse' });
