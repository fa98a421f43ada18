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
