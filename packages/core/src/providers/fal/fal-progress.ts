import type { GenerationHooks } from '../model-provider.js';

/** The status fields this provider reads (a subset of `@fal-ai/client`'s QueueStatus). */
export interface FalStatusView {
  status: 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED';
  queue_position?: number;
  logs?: { message: string; level?: string; timestamp?: string }[] | null;
}

/** Log lines relayed per file at most, so a chatty model cannot flood the job's event log. */
const MAX_LOG_EVENTS = 200;
const MAX_LOG_CHARS = 500;

/**
 * The percentage a log line itself states ("Texturing: 75%", "step 3/10"), or null. Nothing is
 * guessed from time or from the phase: progress only moves on numbers FAL's logs carry.
 */
export function percentFromLog(message: string): number | null {
  const percents = [...message.matchAll(/(\d{1,3}(?:\.\d+)?)\s*%/g)].map((m) => Number(m[1]));
  const percent = percents.at(-1);
  if (percent !== undefined && percent >= 0 && percent <= 100) return percent;
  const fraction = /\b(\d{1,6})\s*\/\s*(\d{1,6})\b/.exec(message);
  if (fraction) {
    const done = Number(fraction[1]);
    const total = Number(fraction[2]);
    if (total > 0 && done <= total) return (done / total) * 100;
  }
  return null;
}

/**
 * Turns FAL status answers into the file's `log` and `progress` events: the queue position when it
 * changes, each log line once (answers repeat earlier lines), and a percentage that never goes
 * backwards and stays below 100 until our copy of the model is stored.
 */
export class FalProgressReporter {
  private lastPosition: number | null = null;
  private started = false;
  private progress = -1;
  private relayed = 0;
  private readonly seen = new Set<string>();

  constructor(private readonly hooks: GenerationHooks) {}

  update(status: FalStatusView): void {
    if (status.status === 'IN_QUEUE') {
      const position = typeof status.queue_position === 'number' ? status.queue_position : null;
      if (position !== null && position !== this.lastPosition) {
        this.lastPosition = position;
        this.hooks.onLog(position === 0 ? "Next in FAL's queue" : `Waiting in FAL's queue: position ${position}`);
      }
      return;
    }
    if (!this.started) {
      this.started = true;
      this.hooks.onLog(status.status === 'IN_PROGRESS' ? 'FAL started generating the model' : 'FAL finished generating the model');
    }
    for (const line of status.logs ?? []) this.relay(line);
  }

  private relay(line: { message: string; level?: string; timestamp?: string }): void {
    if (typeof line.message !== 'string') return;
    const key = `${line.timestamp ?? ''}\u0000${line.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const message = line.message.trim().slice(0, MAX_LOG_CHARS);
    if (message.length > 0 && this.relayed < MAX_LOG_EVENTS) {
      this.relayed += 1;
      const level = line.level === 'ERROR' || line.level === 'WARN' || line.level === 'STDERR' ? 'warning' : 'info';
      this.hooks.onLog(`FAL: ${message}`, level);
    }
    const percent = percentFromLog(message);
    if (percent === null) return;
    const value = Math.min(99, Math.floor(percent));
    if (value > this.progress) {
      this.progress = value;
      this.hooks.onProgress(value);
    }
  }
}
