import { apiKeyProcedure } from '../../trpc.js';
import { accessFor } from '../../wire.js';
import { idempotent } from '../../idempotent.js';
import { CancelJobInputSchema, CancelJobResponseSchema } from './cancel-job.types.js';

export const cancelJob = apiKeyProcedure
  .meta({
    openapi: {
      method: 'POST',
      path: '/jobs/{job_id}/cancel',
      tags: ['jobs'],
      summary: 'Cancel a job, or some of its files',
      description:
        "Cancels every file of the job (body `{}`) or the files named in `file_ids`. A pending file is cancelled at once and never sent to a provider; a processing file's generation is stopped (with FAL, its request is cancelled: a request FAL had already started may still be billed, and the file's log says so), and a result that arrives later is discarded. Files already completed, failed or cancelled are left as they are, so cancelling again answers 200 with an empty list. The stream sends a `cancelled` event per file, then `done` once every file of the job is final. Unknown file ids: 404 with the ids in `details.file_ids`, nothing cancelled. Needs the owner's API key (a session_id is read-only). A cancelled file can be generated again with generate-single or retry.",
      protect: true,
      successDescription: 'What was cancelled, and the job status after',
    },
  })
  .input(CancelJobInputSchema)
  .output(CancelJobResponseSchema)
  .mutation(
    idempotent(({ ctx, input }) =>
      ctx.services.jobs.cancelFiles({ job_id: input.job_id, ...(input.file_ids ? { file_ids: input.file_ids } : {}) }, accessFor(ctx, null)),
    ),
  );
