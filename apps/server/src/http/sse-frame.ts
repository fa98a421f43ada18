import type { ServerResponse } from 'node:http';

/**
 * One Server-Sent Events frame, encoded once and written as the same bytes to every follower, with
 * its HTTP/1.1 chunk framing built once too.
 */
export class SseFrame {
  readonly raw: Buffer;
  private chunk: Buffer | null = null;

  constructor(text: string) {
    this.raw = Buffer.from(text);
  }

  /** The frame as one chunk of a `Transfer-Encoding: chunked` body. */
  get chunked(): Buffer {
    this.chunk ??= Buffer.concat([Buffer.from(`${this.raw.length.toString(16)}\r\n`), this.raw, CRLF]);
    return this.chunk;
  }
}

const CRLF = Buffer.from('\r\n');

/**
 * Writes a frame to an event stream whose headers are sent, straight to its socket: one write of
 * prepared bytes instead of ServerResponse's four buffered pieces (size line, CRLF, data, CRLF) and
 * its cork-until-next-tick per write. With 5,000 followers that per-write overhead was what made the
 * fan-out fall behind a bare server (BENCHMARKS.md, "sse-fanout"). The response stays the socket's
 * current message for as long as the stream lasts, so its own later writes (`end()`) come after.
 * Returns false when the socket is buffering (the follower reads slower than we write).
 */
export function writeSseFrame(res: ServerResponse, frame: SseFrame): boolean {
  const socket = res.socket;
  if (!res.headersSent || socket === null || socket.destroyed) return res.write(frame.raw);
  return socket.write(res.chunkedEncoding ? frame.chunked : frame.raw);
}
