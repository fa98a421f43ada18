import { z } from 'zod';

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
