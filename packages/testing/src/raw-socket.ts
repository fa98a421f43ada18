import { connect, type Socket } from 'node:net';

/** A TCP connection to a test server, for clients no HTTP library would be: slow, partial, odd. */
export interface RawClient {
  socket: Socket;
  /** Everything the server sent so far, as latin1 text. */
  received(): string;
  /** Settles when the connection closes; `byServer` is false when this side destroyed it. */
  closed: Promise<{ byServer: boolean; atMs: number }>;
  destroy(): void;
}

export function openRawClient(url: string, opts: { localAddress?: string } = {}): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  const startedAt = Date.now();
  const chunks: Buffer[] = [];
  let destroyedHere = false;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset from the server is one way of being cut off: the close below still reports it.
    socket.on('error', () => undefined);
    const closed = new Promise<{ byServer: boolean; atMs: number }>((settle) =>
      socket.once('close', () => settle({ byServer: !destroyedHere, atMs: Date.now() - startedAt })),
    );
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => Buffer.concat(chunks).toString('latin1'),
        closed,
        destroy() {
          destroyedHere = true;
          socket.destroy();
        },
      }),
    );
    socket.once('error', reject);
  });
}

/** Writes `data` one byte at a time, `intervalMs` apart, until it is all sent or the socket closes. */
export async function trickle(client: RawClient, data: string | Buffer, intervalMs: number): Promise<void> {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
  for (const byte of bytes) {
    if (client.socket.destroyed || client.socket.writableEnded) return;
    client.socket.write(Buffer.of(byte));
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
