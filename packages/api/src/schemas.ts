import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from '@image2model/core';
import { MAX_FACE_LIMIT, MIN_FACE_LIMIT } from '@image2model/core/limits';

/**
 * Ids are plain strings here, not patterns or lengths: a malformed or overlong id is simply a job
 * that does not exist (404), so a path-like id never earns a hint, and never reaches the disk.
 */
export const JobIdSchema = z.string().meta({ description: 'Batch job id', example: 'batch_20240315_123456_abc123' });
const FileIdSchema = z.string().meta({ description: 'File id within the job', example: 'file_001' });
export const SessionIdSchema = z
  .string()
  .meta({ description: "The job's session id: read-only access without an API key", example: 'sess_3q2Vb9kP0sT1xYz8aW4mNc5RdLf7HgJe' });

/**
 * trpc-to-openapi turns on coercion for every number in an input, bodies included, and does it by
 * mutating the schema (so /trpc would coerce too). A pipe is left alone: JSON numbers stay strict,
 * so "1e4", "10.0" or "" are 400s, not quietly accepted.
 */
function strict(schema: z.ZodNumber) {
  return schema.pipe(schema);
}

/** Booleans too: coerced, "false" would be true. */
function strictBoolean(schema: z.ZodBoolean) {
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
const TripoSeedSchema = z.int().min(0).max(MAX_TRIPO_SEED);

const TRIPO_DOCS = {
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

const FileStatusSchema = z.enum(['pending', 'processing', 'completed', 'failed']);
const JobStateSchema = z.enum(['processing', 'completed', 'failed', 'partial']);
const FileErrorSchema = z.object({ code: z.string(), message: z.string() });

const JobFileSchema = z
  .object({
    file_id: z.string(),
    filename: z.string(),
    status: FileStatusSchema,
    progress: z.int().min(0).max(100),
    model_url: z.string().nullable().meta({ description: 'Absolute URL that downloads the GLB, once completed' }),
    preview_url: z.string().nullable().meta({ description: 'Absolute URL of a PNG preview, when one exists' }),
    model_task_id: z.string().nullable().meta({ description: "The provider's task id; null until it exists" }),
    face_limit: z.int().nullable(),
    error: FileErrorSchema.nullable().optional(),
  })
  .meta({ id: 'JobFile' });

export const JobStatusResponseSchema = z
  .object({
    job_id: z.string(),
    session_id: z.string(),
    status: JobStateSchema,
    total_files: z.int(),
    processed_files: z.int().meta({ description: 'Completed files' }),
    failed_files: z.int(),
    progress: z.number().meta({ description: 'Mean file progress, 0–100, two decimals' }),
    created_at: z.string(),
    updated_at: z.string(),
    files: z.array(JobFileSchema),
  })
  .meta({ id: 'JobStatus' });

export const UploadResponseSchema = z
  .object({
    job_id: z.string(),
    session_id: z.string(),
    files: z.array(z.object({ file_id: z.string(), filename: z.string(), status: FileStatusSchema })),
    total_files: z.int(),
    status: JobStateSchema,
  })
  .meta({ id: 'UploadResponse' });

export const GenerateSingleInputSchema = z.object({
  job_id: JobIdSchema,
  file_id: FileIdSchema,
  face_limit: strict(FaceLimitSchema).optional(),
  ...TripoJsonFields,
});

export const GenerateSingleResponseSchema = z
  .object({
    job_id: z.string(),
    file_id: z.string(),
    model_task_id: z.string().nullable(),
    status: z.literal('processing'),
  })
  .meta({ id: 'GenerateSingleResponse' });

export const JobEventWireSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), job_id: z.string(), file_id: z.string(), progress: z.int() }),
  z.object({ type: z.literal('log'), job_id: z.string(), file_id: z.string(), message: z.string(), level: z.enum(['info', 'warning']).optional() }),
  z.object({ type: z.literal('completed'), job_id: z.string(), file_id: z.string(), model_url: z.string() }),
  z.object({ type: z.literal('failed'), job_id: z.string(), file_id: z.string(), error: FileErrorSchema }),
  z.object({ type: z.literal('done'), job_id: z.string(), status: z.enum(['completed', 'failed', 'partial']) }),
]);
export type JobEventWire = z.infer<typeof JobEventWireSchema>;

export const HealthResponseSchema = z.object({ status: z.literal('healthy') });

export const ReadinessReportSchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.record(z.string(), z.string()).meta({
      description: 'storage: writable|unwritable; redis: connected|disconnected|not_configured; fal_api: reachable|unreachable|not_configured',
    }),
  })
  .meta({ id: 'Readiness' });
export type ReadinessReport = z.infer<typeof ReadinessReportSchema>;

export const SystemInfoSchema = z
  .object({
    system: z.object({
      platform: z.string(),
      cpu_count: z.int(),
      memory: z.object({ total: z.number(), available: z.number(), percent: z.number() }).meta({ description: 'MB' }),
      disk: z.object({ total: z.number(), used: z.number(), free: z.number(), percent: z.number() }).meta({ description: 'MB, of DATA_DIR' }),
    }),
    jobs: z.object({ active: z.int(), completed: z.int(), failed: z.int(), partial: z.int() }),
  })
  .meta({ id: 'SystemInfo' });
export type SystemInfo = z.infer<typeof SystemInfoSchema>;

export const CleanupInputSchema = z.object({
  older_than_hours: strict(z.number().min(0).max(24 * 365 * 10)).default(24).meta({ description: 'Delete finished jobs not updated for this many hours', example: 24 }),
});
export const CleanupResponseSchema = z.object({ cleaned_files: z.int(), freed_space_mb: z.number() }).meta({ id: 'CleanupResult' });

const LOG_LEVELS = ['ERROR', 'WARNING', 'INFO', 'DEBUG'] as const;
const LogLevelSchema = z.enum(LOG_LEVELS);
export type LogLevel = z.infer<typeof LogLevelSchema>;

/** Levels are matched case-insensitively, and pino's own `warn` means WARNING. */
const LevelParamSchema = z
  .string()
  .transform((value) => {
    const upper = value.toUpperCase();
    return upper === 'WARN' ? 'WARNING' : upper;
  })
  .pipe(LogLevelSchema);

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export const LogQuerySchema = z.object({
  lines: z.int().min(1).max(10_000).default(100).meta({ description: 'Most recent entries to return' }),
  level: LevelParamSchema.optional().meta({ description: 'Minimum level: ERROR, WARNING, INFO or DEBUG' }),
  since: z
    .string()
    .regex(ISO_8601, 'must be an ISO 8601 date or date-time')
    .refine((value) => !Number.isNaN(Date.parse(value)), 'must be a real date')
    .optional()
    .meta({ description: 'ISO 8601 timestamp (e.g. 2024-03-15T10:30:00Z); only entries at or after it' }),
});
export type LogQuery = z.infer<typeof LogQuerySchema>;

const LogEntrySchema = z.object({
  timestamp: z.string(),
  level: LogLevelSchema,
  message: z.string(),
  correlation_id: z.string().nullable(),
});
export type LogEntry = z.infer<typeof LogEntrySchema>;
export const LogsResponseSchema = z.object({ logs: z.array(LogEntrySchema), total_lines: z.int() }).meta({ id: 'Logs' });

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
