import { parentPort, workerData } from 'node:worker_threads';
import { parseRetrySchedule, SqliteWebhookOutbox, type Logger } from '@image2model/core';
import { createDispatcher, type WebhookSending } from './webhook-delivery.js';
import type { FromSender, SenderData, ToSender } from './webhook-sender.js';

/**
 * The embedded server's webhook dispatcher, on a thread of its own (see startSenderThread): its
 * own connection to the outbox file, its claims and records, signing and HTTP.
 */
const port = parentPort;
if (!port) throw new Error('webhook-sender-thread runs as a worker thread');
const data = workerData as SenderData;
const post = (message: FromSender) => port.postMessage(message);

function forward(level: 'debug' | 'info' | 'warn' | 'error') {
  return (obj: object, msg?: string) => {
    // An error's own fields do not survive the copy to the main thread: its message does.
    const fields = Object.fromEntries(Object.entries(obj).map(([key, value]) => [key, value instanceof Error ? value.message : value]));
    post({ type: 'log', level, fields, msg: msg ?? '' });
  };
}
const logger: Logger = { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error'), child: () => logger };

const outbox = new SqliteWebhookOutbox({ file: data.file });
const { delaysMs, ...settings } = data.sending;
const sending: WebhookSending = {
  ...settings,
  schedule: parseRetrySchedule(delaysMs.map((ms) => String(ms / 1000)).join(',')),
  record: (kind, duration_ms) => post({ type: 'attempted', kind, duration_ms }),
};
const dispatcher = createDispatcher(outbox, sending, logger);

port.on('message', (message: ToSender) => {
  if (message === 'start') dispatcher.start();
  else if (message === 'wake') dispatcher.wake();
  else
    void dispatcher
      .close()
      .then(() => outbox.close())
      .then(() => post({ type: 'closed' }));
});
