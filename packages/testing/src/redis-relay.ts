import { connect, createServer, type Socket } from 'node:net';

export interface RedisRelay {
  /** REDIS_URL for a process that should reach Redis through this relay. */
  url: string;
  /**
   * Until `stopDropping`, a connection whose client sends bytes containing `needle` is dropped
   * (both sides closed) before they reach Redis: the command never runs, nor do its resends.
   */
  dropWhen(needle: string): void;
  stopDropping(): void;
  /**
   * From now on, a connection whose client sends bytes containing `needle` keeps them, and
   * everything it sends after, from Redis (never delivered): the process is frozen at exactly
   * that command, as if a kill landed just before it. Resolves at the first such command.
   */
  holdWhen(needle: string): Promise<void>;
  /** Connections dropped so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

/** A loopback TCP relay in front of Redis that the test controls: it drops or holds a connection at a chosen command. */
export async function startRedisRelay(redisUrl: string): Promise<RedisRelay> {
  const target = new URL(redisUrl);
  const sockets = new Set<Socket>();
  let needle: Buffer | null = null;
  let holdNeedle: Buffer | null = null;
  let markHeld: () => void = () => undefined;
  let dropped = 0;
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.pipe(client);
    // The needle may straddle two chunks: the previous chunk's end is scanned too.
    let tail: Buffer = Buffer.alloc(0);
    let holding = false;
    client.on('data', (chunk: Buffer) => {
      if (holding) return;
      if (holdNeedle && Buffer.concat([tail, chunk]).includes(holdNeedle)) {
        // A command cut in half is never executed by Redis either.
        holding = true;
        markHeld();
        return;
      }
      if (needle && Buffer.concat([tail, chunk]).includes(needle)) {
        dropped += 1;
        client.destroy();
        upstream.destroy();
        return;
      }
      tail = chunk.subarray(Math.max(0, chunk.length - 200));
      upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `redis://127.0.0.1:${port}${target.pathname}`,
    dropWhen(text) {
      needle = Buffer.from(text);
    },
    stopDropping() {
      needle = null;
    },
    holdWhen(text) {
      holdNeedle = Buffer.from(text);
      return new Promise<void>((resolve) => (markHeld = resolve));
    },
    get dropped() {
      return dropped;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
