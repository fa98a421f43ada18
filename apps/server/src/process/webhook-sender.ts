import { Worker } from 'node:worker_threads';
import type { Logger, WebhookAttemptKind } from '@image2model/core';
import type { WebhookSending } from './webhook-delivery.js';

/** What sends webhooks in a process: the dispatcher itself, or the embedded server's thread running one. */
export interface WebhookSender {
  start(): void;
  /** Looks for due deliveries now (one was just queued). */
  wake(): void;
  /** Stops sending; attempts in flight are given back to the outbox. */
  close(): Promise<void>;
}

/** What the thread starts with (structured-cloneable: the schedule as its delays). */
export interface SenderData {
  file: string;
  sending: Omit<WebhookSending, 'record' | 'schedule'> & { delaysMs: readonly number[] };
}
export type ToSender = 'start' | 'wake' | 'close';
export type FromSender =
  | { type: 'attempted'; kind: WebhookAttemptKind; duration_ms: number }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; fields: Record<string, unknown>; msg: string }
  | { type: 'closed' };

/**
 * The embedded server's dispatcher on a worker thread, with its own connection to the outbox file
 * (`DATA_DIR/webhooks.sqlite`, WAL: the main thread enqueues, the thread claims and records).
 * better-sqlite3 and each attempt's connection are synchronous CPU on whichever event loop runs
 * them; on the main loop they cost the generation pipeline about a third of its files/s
 * (bench/cases/webhooks.ts), so a hanging or slow receiver, or a burst of deliveries, now costs
 * the pipeline nothing. Its log lines and metrics come back as messages.
 */
export function startSenderThread(file: string, sending: WebhookSending, logger: Logger): WebhookSender {
  const { record, schedule, ...rest } = sending;
  const data: SenderData = { file, sending: { ...rest, delaysMs: schedule.delaysMs } };
  const worker = new Worker(new URL('./webhook-sender-thread.js', import.meta.url), { workerData: data });
  const closed = new Promise<void>((resolve) => {
    worker.on('message', (message: FromSender) => {
      if (message.type === 'closed') resolve();
      else if (message.type === 'log') logger[message.level](message.fields, message.msg);
      else record?.(message.kind, message.duration_ms);
    });
    worker.once('exit', () => resolve());
  });
  // The server's own handles keep the process up; a thread left by a start that failed must not.
  worker.unref();
  worker.on('error', (error) => logger.error({ err: error }, 'The webhook sender thread failed; webhooks wait in the outbox until the next start'));
  return {
    start: () => worker.postMessage('start' satisfies ToSender),
    wake: () => worker.postMessage('wake' satisfies ToSender),
    async close() {
      worker.postMessage('close' satisfies ToSender);
      await closed;
      await worker.terminate();
    },
  };
}
