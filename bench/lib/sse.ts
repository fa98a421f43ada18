import { request as httpRequest, type ClientRequest } from 'node:http';
import { nowMs } from './stats.js';

export interface SseEvent {
  id: string | null;
  data: string;
}

export interface SseSubscriber {
  /** Resolves once the 200 answer's first bytes arrived (the stream is live). */
  opened: Promise<void>;
  /** Resolves when the server ends the stream; rejects on a non-2xx answer or a socket error. */
  ended: Promise<void>;
  close(): void;
}

/**
 * A minimal text/event-stream reader over node:http (one socket each, no agent), light enough to
 * hold thousands at once in one process. `onEvent` gets each event with the instant its bytes arrived.
 */
export function subscribe(url: string, headers: Record<string, string>, onEvent: (event: SseEvent, receivedAt: number) => void): SseSubscriber {
  let req: ClientRequest | null = null;
  let markOpened: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (markOpened = resolve));
  const ended = new Promise<void>((resolve, reject) => {
    req = httpRequest(url, { headers: { Accept: 'text/event-stream', ...headers }, agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => reject(new Error(`GET ${url} answered ${status}: ${body.slice(0, 300)}`)));
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        const at = nowMs();
        markOpened();
        buffer += chunk;
        let split: number;
        while ((split = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          let id: string | null = null;
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (data !== '') onEvent({ id, data }, at);
        }
      });
      res.on('end', () => resolve());
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  ended.catch(() => markOpened());
  return { opened, ended, close: () => (req as ClientRequest | null)?.destroy() };
}
