import { createServer } from 'node:net';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface LocalHttpServer {
  url: string;
  /** Closes it, cutting connections still open (a client may hold one in keep-alive). */
  close(): Promise<void>;
}

/** An HTTP server on a free loopback port (or `port`: a receiver coming back up), answering with `handler`: a stand-in for another host. */
export async function startHttpServer(handler: RequestListener, listenOn = 0): Promise<LocalHttpServer> {
  const server = createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(listenOn, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An HTTP server that is not Image2Model: every path answers an HTML 404, like a wrong URL would. */
export function startForeignServer(): Promise<LocalHttpServer> {
  return startHttpServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not here</body></html>');
  });
}

/** Records every request a client makes through its `fetch` option. */
export function recordingFetch(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: (input, init) => {
      urls.push(typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url);
      return fetch(input, init);
    },
  };
}

/** The `input` a tRPC GET request carried (superjson's `{ json: … }`). */
export function trpcInput(url: string): Record<string, unknown> {
  const raw = new URL(url).searchParams.get('input');
  return raw ? ((JSON.parse(raw) as { json: Record<string, unknown> }).json ?? {}) : {};
}

export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}
