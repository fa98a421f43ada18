import type { JobListItem, JobListQuery } from '../../index.js';
import { EXIT, type CommandContext } from '../context.js';

export interface JobsOptions {
  status?: string[];
  limit?: number;
  all?: boolean;
}

function formatJobs(jobs: JobListItem[], more: boolean): string {
  if (jobs.length === 0) return 'No jobs.';
  const lines = jobs.map(
    (job) =>
      `${job.job_id}  ${job.status.padEnd(10)}  ${String(job.progress).padStart(6)}%  ${job.total_files} files (${job.processed_files} completed, ${job.failed_files} failed, ${job.cancelled_files} cancelled)  ${job.created_at}`,
  );
  if (more) lines.push('(more: --all lists every job)');
  return lines.join('\n');
}

/** The key's jobs, newest first: one page (`--limit`), or every page with `--all`. */
export async function runJobs(ctx: CommandContext, options: JobsOptions): Promise<number> {
  ctx.requireApiKey();
  const status = options.status?.flatMap((s) => s.split(',')).filter((s) => s.length > 0);
  const query = { ...(status && status.length > 0 ? { status } : {}), ...(options.limit ? { limit: options.limit } : {}) } as JobListQuery;
  if (options.all) {
    const jobs: JobListItem[] = [];
    for await (const job of ctx.client.allJobs({ ...query, limit: 100 })) jobs.push(job);
    ctx.result(formatJobs(jobs, false), { jobs });
    return EXIT.ok;
  }
  const page = await ctx.client.jobs.list.query(query);
  ctx.result(formatJobs(page.jobs, page.next_cursor !== null), page);
  return EXIT.ok;
}
