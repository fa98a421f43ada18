import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { CommandContext } from './context.js';

/** How long the question waits for an answer before the job is left running. */
const ANSWER_TIMEOUT_MS = 30_000;

/** The first line typed, or '' at the end of input, a second Ctrl+C, or after the timeout. */
async function readAnswer(input: NodeJS.ReadableStream): Promise<string> {
  const lines = createInterface({ input, terminal: false });
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), ANSWER_TIMEOUT_MS);
  try {
    const answered = once(lines, 'line', { signal: timeout.signal }).then(([line]) => String(line));
    const ended = once(lines, 'close', { signal: timeout.signal }).then(() => '');
    const interruptedAgain = once(process, 'SIGINT', { signal: timeout.signal }).then(() => '');
    return await Promise.race([answered, ended, interruptedAgain]);
  } catch {
    return ''; // timed out
  } finally {
    clearTimeout(timer);
    timeout.abort();
    lines.close();
  }
}

/**
 * Ctrl+C during `generate`: asks whether to cancel the batch on the server too. Yes cancels every
 * file still pending or processing; anything else (no answer, a second Ctrl+C, --json, no input)
 * leaves the job running and says how to pick it up again.
 */
export async function offerCancel(ctx: CommandContext, jobId: string): Promise<void> {
  const goesOn = `Job ${jobId} goes on on the server: image2model status ${jobId}, image2model download ${jobId}`;
  if (ctx.json || !ctx.io.stdin) {
    ctx.note(`\nInterrupted. ${goesOn} (or image2model cancel ${jobId})`);
    return;
  }
  ctx.note(`\nInterrupted. Cancel job ${jobId} on the server too? Its unfinished files stop; finished models stay. [y/N]`);
  const answer = (await readAnswer(ctx.io.stdin)).trim();
  if (!/^y(es)?$/i.test(answer)) {
    ctx.note(goesOn);
    return;
  }
  const result = await ctx.client.jobs.cancel.mutate({ job_id: jobId });
  const count = result.cancelled_file_ids.length;
  ctx.note(`Cancelled ${count} file${count === 1 ? '' : 's'} of job ${jobId} (job ${result.status}); generate them again with: image2model retry ${jobId}`);
}
