import type { JobStatus } from '../../index.js';
import { EXIT, type CommandContext } from '../context.js';
import { shapeNote, viewsLines, warningLines } from '../describe-model.js';

function formatStatus(job: JobStatus): string {
  const width = Math.min(40, Math.max(8, ...job.files.map((f) => f.filename.length)));
  const lines = [
    `${job.job_id}  ${job.status}  ${job.progress}%  (${job.total_files} files: ${job.processed_files} completed, ${job.failed_files} failed${job.cancelled_files ? `, ${job.cancelled_files} cancelled` : ''})${job.expires_at ? `  expires ${job.expires_at}` : ''}`,
    ...job.files.flatMap((f) => {
      const tail = f.status === 'failed' && f.error ? `${f.error.code}: ${f.error.message}` : `${f.model_url ?? ''}  ${shapeNote(f)}`;
      return [`  ${f.file_id}  ${f.filename.padEnd(width)}  ${f.status.padEnd(10)}  ${String(f.progress).padStart(3)}%  ${tail.trim()}`.trimEnd(), ...viewsLines(f), ...warningLines(f)];
    }),
  ];
  return lines.join('\n');
}

export async function runStatus(ctx: CommandContext, jobId: string, options: { sessionId?: string }): Promise<number> {
  if (!options.sessionId) ctx.requireApiKey();
  const job = await ctx.client.status.get.query({ job_id: jobId, ...(options.sessionId ? { session_id: options.sessionId } : {}) });
  ctx.result(formatStatus(job), job);
  return EXIT.ok;
}
