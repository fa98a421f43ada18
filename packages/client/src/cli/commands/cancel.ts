import { EXIT, type CommandContext } from '../context.js';

/** Cancels a whole job, or the files named; files already finished are left as they are. */
export async function runCancel(ctx: CommandContext, jobId: string, fileIds: string[]): Promise<number> {
  ctx.requireApiKey();
  const result = await ctx.client.jobs.cancel.mutate({ job_id: jobId, ...(fileIds.length > 0 ? { file_ids: fileIds } : {}) });
  const what = result.cancelled_file_ids.length > 0 ? `cancelled ${result.cancelled_file_ids.join(', ')}` : 'nothing left to cancel';
  ctx.result(`${jobId}: ${what} (job ${result.status})`, result);
  return EXIT.ok;
}
