/**
 * The sse-fanout baseline: a bare node:http handler that keeps every subscriber's response and
 * writes each event to all of them, with the same wire format and pacing as the product case.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveCommands } from '../lib/ipc.js';
import { nowMs, sleep } from '../lib/stats.js';
import { timedMessage, type EmitScript } from './bench-provider.js';

const subscribers = new Set<ServerResponse>();

const server = createServer(function bareStream(req, res) {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive' });
  res.write('retry: 2000\n\n');
  subscribers.add(res);
  res.on('close', () => subscribers.delete(res));
});
server.listen(0, '127.0.0.1');
await new Promise<void>((resolve) => server.once('listening', resolve));

function broadcast(id: number, data: Record<string, unknown>): void {
  const chunk = `id: ${id}\ndata: ${JSON.stringify(data)}\n\n`;
  for (const res of subscribers) res.write(chunk);
}

serveCommands(
  {
    subscribers: () => subscribers.size,
    async emit(args) {
      const { count, intervalMs } = args.script as EmitScript;
      const job_id = String(args.jobId);
      const started = nowMs();
      for (let seq = 0; seq < count; seq++) {
        if (seq > 0) await sleep(intervalMs);
        broadcast(seq + 1, { type: 'log', job_id, file_id: 'file_001', message: timedMessage(seq, nowMs()), level: 'info' });
      }
      broadcast(count + 1, { type: 'done', job_id, status: 'completed' });
      for (const res of subscribers) res.end();
      return { emitMs: nowMs() - started };
    },
  },
  { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
);
