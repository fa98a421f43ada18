import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { startHttpServer, type LocalHttpServer } from './net.js';

/** What a receiver does with one request. */
export type ReceiverBehaviour = number | 'hang' | 'drop' | { redirect: string };

export interface ReceivedWebhook {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** What the next requests get, in turn; once used up, `then` applies. */
  script: ReceiverBehaviour[];
  then: ReceiverBehaviour;
  close(): Promise<void>;
}

function act(behaviour: ReceiverBehaviour, req: IncomingMessage, res: ServerResponse): void {
  if (behaviour === 'hang') return;
  if (behaviour === 'drop') req.socket.destroy();
  else if (typeof behaviour === 'number') res.writeHead(behaviour).end();
  else res.writeHead(302, { location: behaviour.redirect }).end();
}

/**
 * A webhook receiver on loopback for tests: records every request (arrival time, headers, body)
 * and answers per its script: a status, a redirect, never (hang) or by dropping the connection.
 */
export async function startTestReceiver(then: ReceiverBehaviour = 204, script: ReceiverBehaviour[] = []): Promise<TestReceiver> {
  const receiver: Omit<TestReceiver, 'url' | 'close'> = { received: [], script, then };
  const server: LocalHttpServer = await startHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      receiver.received.push({ at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString() });
      act(receiver.script.shift() ?? receiver.then, req, res);
    });
  });
  return Object.assign(receiver, { url: `${server.url}/hook`, close: () => server.close() });
}

export interface EventAttempt extends ReceivedWebhook {
  /** Its `webhook-id` header. */
  id: string;
}

export interface PerEventReceiver {
  url: string;
  attempts: EventAttempt[];
  /** The attempts of one event (by `webhook-id`), in arrival order. */
  ofEvent(id: string): EventAttempt[];
  close(): Promise<void>;
}

/**
 * A receiver that answers each event's attempts in turn from `perEvent` (then 204), so every event
 * sees the same sequence however their attempts interleave; on `port` to come back up where a
 * server expects it.
 */
export async function startPerEventReceiver(perEvent: ReceiverBehaviour[], opts: { port?: number } = {}): Promise<PerEventReceiver> {
  const attempts: EventAttempt[] = [];
  const ofEvent = (id: string) => attempts.filter((a) => a.id === id);
  const server = await startHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      const before = ofEvent(id).length;
      attempts.push({ at: Date.now(), id, headers: req.headers, body: Buffer.concat(chunks).toString() });
      act(perEvent[before] ?? 204, req, res);
    });
  }, opts.port);
  return { url: `${server.url}/hook`, attempts, ofEvent, close: () => server.close() };
}
