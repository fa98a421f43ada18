import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { openRawClient } from './raw-socket.js';

export interface HostilePart {
  filename: string;
  data: Buffer;
}

/** A multipart body with `files` parts; `close: false` leaves out the closing boundary. */
export function multipartOf(parts: HostilePart[], boundary: string, close = true): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${part.filename}"\r\nContent-Type: image/png\r\n\r\n`));
    chunks.push(part.data, Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/**
 * POSTs `body` to the upload route over a raw socket, honouring back-pressure. With `cutAfter`, the
 * client hangs up after that many body bytes (a closed tab); otherwise it reads the answer and
 * returns its status (0 when the server hung up without one).
 */
export async function postUpload(url: string, key: string, body: Buffer, opts: { boundary: string; cutAfter?: number; declaredLength?: number }): Promise<number> {
  const client = await openRawClient(url);
  const { host } = new URL(url);
  const head =
    `POST /api/v1/upload/batch HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${key}\r\nConnection: close\r\n` +
    `Content-Type: multipart/form-data; boundary=${opts.boundary}\r\nContent-Length: ${opts.declaredLength ?? body.length}\r\n\r\n`;
  client.socket.write(head);
  const end = opts.cutAfter ?? body.length;
  for (let at = 0; at < end && !client.socket.destroyed; at += 64 * 1024) {
    const chunk = body.subarray(at, Math.min(end, at + 64 * 1024));
    if (!client.socket.write(chunk)) {
      await new Promise<void>((resolve) => {
        client.socket.once('drain', resolve);
        client.socket.once('close', resolve);
      });
    }
  }
  if (opts.cutAfter !== undefined) {
    // Long enough for the server to have opened its temp file for the part.
    await new Promise((resolve) => setTimeout(resolve, 100));
    client.destroy();
    await client.closed;
    return 0;
  }
  await client.closed;
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(client.received())?.[1] ?? 0);
}

export const newBoundary = () => `----hostile${randomBytes(8).toString('hex')}`;

/** Resident set size of a process on this machine, in bytes (Linux: /proc/<pid>/status). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}
