/** The upload baseline: a bare node:http handler that streams each request body to its own file. */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { serveCommands } from '../lib/ipc.js';

const dir = process.env.BENCH_UPLOAD_DIR;
if (!dir) throw new Error('BENCH_UPLOAD_DIR is required');
let received = 0;

const server = createServer(async function bareUpload(req, res) {
  const file = join(dir, `body-${++received}`);
  try {
    await pipeline(req, createWriteStream(file));
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
  } catch {
    res.writeHead(500).end();
  }
});
server.listen(0, '127.0.0.1');
await new Promise<void>((resolve) => server.once('listening', resolve));

serveCommands(
  {
    async clear() {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
    },
  },
  { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
);
