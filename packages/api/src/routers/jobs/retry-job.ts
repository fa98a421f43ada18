import { apiKeyProcedure } from '../../trpc.js';
import { accessFor } from '../../wire.js';
import { idempotent } from '../../idempotent.js';
import { RetryJobInputSchema, RetryJobResponseSchema } from './retry-job.types.js';

export const retryJob = apiKeyProcedure
  .meta({
    openapi: {
      method: 'POST',
      path: '/jobs/{job_id}/retry',
      tags: ['jobs'],
      summary: 'Generate every failed and cancelled file of a job again',
      description:
        "One call for what generate-single does per file: every `failed` and `cancelled` file of the job (or of those named in `file_ids`) gets a new generation (a new `model_task_id`, new events; the stream follows the new work), with `face_limit` when given, else each file's previous one. Completed files and files still running are left as they are. 409 CONFLICT with `details.reason: \"nothing_to_retry\"` when no such file is left; 404 with `details.file_ids` for unknown file ids; 429 `RATE_LIMIT_EXCEEDED` with `details.reason: \"active_files\"` when the files it would restart would take the key's files pending or processing past the server's limit (nothing is restarted). With FAL, each retried file is a new paid request. Needs the owner's API key.",
      protect: true,
      successDescription: 'The files queued again',
    },
  })
  .input(RetryJobInputSchema)
  .output(RetryJobResponseSchema)
  .mutation(
    idempotent(({ ctx, input }) =>
      ctx.services.jobs.retryFiles(
        {
          job_id: input.job_id,
          ...(input.file_ids ? { file_ids: input.file_ids } : {}),
          ...(input.face_limit !== undefined ? { face_limit: input.face_limit } : {}),
          ...(input.webhook_url !== undefined ? { webhook_url: input.webhook_url } : {}),
        },
        accessFor(ctx, null),
      ),
    ),
  );
