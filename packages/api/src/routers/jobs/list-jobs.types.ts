import { z } from 'zod';
import { JobStateSchema, JobTimesSchema } from '../../schemas.js';

export const MAX_LIST_LIMIT = 100;
export const DEFAULT_LIST_LIMIT = 20;

/** ISO 8601 date-times, with an offset or `Z`; the bounds are exclusive. */
const InstantSchema = z.iso.datetime({ offset: true });

/**
 * `status=completed&status=failed` (repeated), `status=completed,failed` (comma-separated), or
 * both: one list of job statuses. /trpc takes the same, or an array.
 */
const StatusesSchema = z
  .preprocess(
    (value) => (typeof value === 'string' ? [value] : value),
    z.array(z.string()).transform((values) => values.flatMap((value) => value.split(',')).map((value) => value.trim())),
  )
  .pipe(z.array(JobStateSchema).max(JobStateSchema.options.length * 4))
  .meta({ description: 'Only jobs in one of these statuses: repeat the parameter or separate them with commas (e.g. `status=completed,partial`)' });

export const ListJobsInputSchema = z.object({
  // A query parameter: trpc-to-openapi coerces it from its string (as logs' `lines`).
  limit: z
    .int()
    .min(1)
    .max(MAX_LIST_LIMIT)
    .default(DEFAULT_LIST_LIMIT)
    .meta({ description: `Jobs per page, 1 to ${MAX_LIST_LIMIT}` }),
  cursor: z.string().max(512).optional().meta({ description: "The previous page's `next_cursor`; left out, the newest jobs" }),
  status: StatusesSchema.optional(),
  created_after: InstantSchema.optional().meta({ description: 'Only jobs created after this instant (ISO 8601, e.g. 2024-03-15T10:30:00Z)' }),
  created_before: InstantSchema.optional().meta({ description: 'Only jobs created before this instant (ISO 8601)' }),
});

export const JobListItemSchema = z
  .object({
    job_id: z.string(),
    status: JobStateSchema,
    ...JobTimesSchema.shape,
    total_files: z.int(),
    processed_files: z.int().meta({ description: 'Completed files' }),
    failed_files: z.int(),
    cancelled_files: z.int(),
    progress: z.number().meta({ description: "Mean of the files' progress, final files counting 100" }),
  })
  .meta({ id: 'JobListItem' });

export const ListJobsResponseSchema = z
  .object({
    jobs: z.array(JobListItemSchema).meta({ description: 'Newest first' }),
    next_cursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  })
  .meta({ id: 'JobList' });
