/**
 * Schemas more than one route uses: ids, the face limit, the Tripo options, file and job states,
 * the upload answer (its route is hand-written) and the error body. Each procedure's own input and
 * output sit beside it, in `routers/<area>/<procedure>.types.ts`.
 */
import { z } from 'zod';
import { ERROR_STATUS, MODEL_SHAPES, type ErrorCode } from '@image2model/core';
import { MAX_FACE_LIMIT, MIN_FACE_LIMIT } from '@image2model/core/limits';

/**
 * Ids are plain strings here, not patterns or lengths: a malformed or overlong id is simply a job
 * that does not exist (404), so a path-like id never earns a hint, and never reaches the disk.
 */
export const JobIdSchema = z.string().meta({ description: 'Batch job id', example: 'batch_20240315_123456_abc123' });
export const FileIdSchema = z.string().meta({ description: 'File id within the job', example: 'file_001' });
export const SessionIdSchema = z
  .string()
  .meta({ description: "The job's session id: read-only access without an API key", example: 'sess_3q2Vb9kP0sT1xYz8aW4mNc5RdLf7HgJe' });

/**
 * trpc-to-openapi turns on coercion for every number in an input, bodies included, and does it by
 * mutating the schema (so /trpc would coerce too). A pipe is left alone: JSON numbers stay strict,
 * so "1e4", "10.0" or "" are 400s, not quietly accepted.
 */
export function strict(schema: z.ZodNumber) {
  return schema.pipe(schema);
}

/** Booleans too: coerced, "false" would be true. */
export function strictBoolean(schema: z.ZodBoolean) {
  return schema.pipe(schema);
}

export const FaceLimitSchema = z
  .int()
  .min(MIN_FACE_LIMIT)
  .max(MAX_FACE_LIMIT)
  .meta({ description: `Maximum number of triangles, an integer from ${MIN_FACE_LIMIT} to ${MAX_FACE_LIMIT}`, example: 10000 });

/** Tripo's seeds: non-negative 32-bit integers. */
const MAX_TRIPO_SEED = 2_147_483_647;
const TRIPO_TEXTURES = ['no', 'standard', 'HD'] as const;
const TRIPO_TEXTURE_ALIGNMENTS = ['original_image', 'geometry'] as const;
const TRIPO_ORIENTATIONS = ['default', 'align_image'] as const;
export const TripoSeedSchema = z.int().min(0).max(MAX_TRIPO_SEED);

export const TRIPO_DOCS = {
  texture: "FAL Tripo only: texturing, `no` (untextured), `standard` (FAL's default) or `HD`",
  pbr: "FAL Tripo only: physically based materials (FAL's default: true, which implies texturing)",
  seed: `FAL Tripo only: geometry seed, an integer from 0 to ${MAX_TRIPO_SEED}; the same seed gives the same shape`,
  texture_seed: `FAL Tripo only: texture seed, an integer from 0 to ${MAX_TRIPO_SEED}`,
  texture_alignment: "FAL Tripo only: what the texture follows, `original_image` (FAL's default) or `geometry`",
  orientation: "FAL Tripo only: `align_image` rotates the model to match the photo; `default` (FAL's default) does not",
  auto_size: 'FAL Tripo only: scale the model to real-world size in metres (FAL default: false)',
} as const;

/**
 * The FAL Tripo v2.5 options a user may set (each optional; sent to FAL only when given, ignored by
 * the local generator). `quad` is not offered: it makes Tripo return FBX, and this service stores
 * and serves GLB.
 */
export const TripoOptionsSchema = z.object({
  texture: z.enum(TRIPO_TEXTURES).optional().meta({ description: TRIPO_DOCS.texture }),
  pbr: z.boolean().optional().meta({ description: TRIPO_DOCS.pbr }),
  seed: TripoSeedSchema.optional().meta({ description: TRIPO_DOCS.seed, example: 42 }),
  texture_seed: TripoSeedSchema.optional().meta({ description: TRIPO_DOCS.texture_seed }),
  texture_alignment: z.enum(TRIPO_TEXTURE_ALIGNMENTS).optional().meta({ description: TRIPO_DOCS.texture_alignment }),
  orientation: z.enum(TRIPO_ORIENTATIONS).optional().meta({ description: TRIPO_DOCS.orientation }),
  auto_size: z.boolean().optional().meta({ description: TRIPO_DOCS.auto_size }),
});
export const TRIPO_OPTION_FIELDS = Object.keys(TripoOptionsSchema.shape) as (keyof z.infer<typeof TripoOptionsSchema>)[];

const formBoolean = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((value) => value === 'true');
const formSeed = z
  .string()
  .regex(/^\d{1,10}$/, `must be an integer from 0 to ${MAX_TRIPO_SEED}`)
  .transform(Number)
  .pipe(TripoSeedSchema);

/** The same options as multipart form fields (strings): `true`/`false`, decimal integers. */
export const TripoFormFieldsSchema = z.object({
  texture: z.enum(TRIPO_TEXTURES).optional(),
  pbr: formBoolean.optional(),
  seed: formSeed.optional(),
  texture_seed: formSeed.optional(),
  texture_alignment: z.enum(TRIPO_TEXTURE_ALIGNMENTS).optional(),
  orientation: z.enum(TRIPO_ORIENTATIONS).optional(),
  auto_size: formBoolean.optional(),
});

/**
 * A webhook URL a request names. Its rules (https, public hosts, length) are core's
 * (`acceptWebhookUrl`), checked by the job service for every transport, so the schema only says what it is.
 */
export const WebhookUrlSchema = z.string().meta({
  description:
    "Where the job's webhook events are sent. `https://` only (`http://` too when the server sets `WEBHOOK_ALLOW_HTTP`), without credentials, at most 2,048 characters, and its host must resolve to public addresses only (unless the server sets `WEBHOOK_ALLOW_PRIVATE`). Otherwise, or when the server has no `PUBLIC_URL`, 400 `VALIDATION_ERROR` with `details.field: \"webhook_url\"` and `details.reason`.",
  example: 'https://hooks.example.com/image2model',
});

export const FileStatusSchema = z.enum(['pending', 'processing', 'completed', 'failed', 'cancelled']);
export const JobStateSchema = z.enum(['processing', 'completed', 'failed', 'partial', 'cancelled']);
/** The statuses a job ends in (a `done` event's). */
export const FinalJobStateSchema = JobStateSchema.exclude(['processing']);
export const FileErrorSchema = z.object({ code: z.string(), message: z.string() });

/** What the user should know about how a model was made: the same list on the status, the `completed` event and the ZIP manifest. */
export const FileWarningSchema = z
  .object({
    code: z.string().meta({
      description:
        'Stable code: `BACKGROUND_NOT_SEPARATED` (no object found: a flat card of the whole photo), `LOW_SEGMENTATION_CONFIDENCE` (an object found, but not surely: a card too), `SYMMETRY_ASSUMED` (made round; the back mirrors the front), `LOW_POLY_FALLBACK` (face_limit too small: a low-poly lens), `VIEWS_DISAGREE` (the views of a multiview file do not show one object as framed), `SIDE_VIEW_NOT_SEPARATED` (no side view could be used: made from the front alone), `GENERATOR_NOTICE` (a warning stored before warnings had codes)',
      example: 'BACKGROUND_NOT_SEPARATED',
    }),
    message: z.string().meta({
      description: 'What happened and what to do about it, in a sentence',
      example: 'Could not separate an object from the background; made a flat card of the whole photo: use a photo of the object on a plain background or with a transparent background',
    }),
  })
  // No component id: zod would name the output variant `FileWarningOutput` and leave `FileWarning` unused.
  .meta({ description: 'Something the user should know about how the model was made' });
export const FileWarningsSchema = z.array(FileWarningSchema).meta({ description: "How the model was made, where the user should know: empty for a clean model and for files not completed" });
export const ModelShapeSchema = z
  .enum(MODEL_SHAPES)
  .nullable()
  .meta({
    description:
      "How the local generator made the model's depth: `revolved` (a solid of revolution), `inflated` (the silhouette inflated), `card` (a flat card of the whole photo), `hull` (carved from several views of one object); null for FAL's models and for files not completed",
    example: 'revolved',
  });

/** When a job was made, last changed, and will be deleted (ISO 8601 UTC). */
export const JobTimesSchema = z.object({
  created_at: z.string().meta({ description: 'When the job was uploaded (ISO 8601, UTC)' }),
  updated_at: z.string().meta({ description: "The job's last change, any of its files' included (ISO 8601, UTC)" }),
  expires_at: z
    .string()
    .nullable()
    .meta({ description: 'When retention deletes the finished job (updated_at + RETENTION_HOURS); null while it runs or when retention is off' }),
});

/** A multiview file's photos: each view's uploaded filename (the same object on every answer that lists the file). */
export const FileViewsSchema = z
  .object({
    front: z.string(),
    left: z.string().optional(),
    back: z.string().optional(),
    right: z.string().optional(),
  })
  // No component id: zod would name the output variant `FileViewsOutput` and leave `FileViews` unused.
  .meta({
    description:
      'For a file made from several views of one object (`POST /upload/multiview`): the filename uploaded as each view (only the views given; `filename` is the front\'s). Absent for a file made from one photo.',
    example: { front: 'mug-front.jpg', left: 'mug-left.jpg' },
  });

export const UploadResponseSchema = z
  .object({
    job_id: z.string(),
    session_id: z.string(),
    files: z.array(z.object({ file_id: z.string(), filename: z.string(), status: FileStatusSchema, views: FileViewsSchema.optional() })),
    total_files: z.int(),
    status: JobStateSchema,
  })
  .meta({ id: 'UploadResponse' });

/** The public codes, from core's one table: a code added there is in every error schema at once. */
const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export const ErrorBodySchema = z
  .object({
    detail: z.object({
      code: z.enum(ERROR_CODES).meta({ description: 'The error code; each has one HTTP status' }),
      message: z.string().meta({ description: 'What went wrong, and what to do about it' }),
      details: z.record(z.string(), z.unknown()).meta({ description: 'Machine-readable specifics (e.g. `retry_after` on 429); `{}` when there are none' }),
    }),
  })
  .meta({ id: 'Error', description: 'The body of every error answer, on every route' });
