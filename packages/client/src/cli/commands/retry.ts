import { EXIT, type CommandContext } from '../context.js';

export interface RetryCommandOptions {
  faceLimit?: number;
  file?: string[];
  /** Replaces the job's webhook URL for the events that follow (`webhook_url`). */
  webhook?: string;
}

/** Generates every failed and cancelled file of a job again (exit 1 when there is none). */
export async function runRetry(ctx: CommandContext, jobId: string, options: RetryCommandOptions): Promise<number> {
  ctx.requireApiKey();
  const result = await ctx.client.jobs.retry.mutate({
    job_id: jobId,
    ...(options.file && options.file.length > 0 ? { file_ids: options.file } : {}),
    ...(options.faceLimit !== undefined ? { face_limit: options.faceLimit } : {}),
    ...(options.webhook !== undefined ? { webhook_url: options.webhook } : {}),
  });
  ctx.result(`${jobId}: queued ${result.retried_file_ids.join(', ')} again (follow with: image2model status ${jobId})`, result);
  return EXIT.ok;
}
