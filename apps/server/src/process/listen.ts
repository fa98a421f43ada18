import { createServer, type RequestListener, type Server } from 'node:http';
import type { Env } from '../env.js';
import { UPLOAD_TEMP_MAX_AGE_MS } from './data-dir.js';

export interface Listening {
  server: Server;
  port: number;
  /** What to print in a URL: `localhost` when listening on every interface. */
  host: string;
  url: string;
}

/** The HTTP server on PORT/HOST, with the socket deadlines that keep slow clients from holding sockets. */
export async function listen(app: RequestListener, env: Pick<Env, 'PORT' | 'HOST'>): Promise<Listening> {
  // Node checks the header and request deadlines below every connectionsCheckingInterval (30 s by
  // default), so a slow client could outlive its deadline by that much.
  const server = createServer({ connectionsCheckingInterval: 5_000 }, app).listen(env.PORT, env.HOST);
  await new Promise<void>((resolveListen, reject) => {
    server.once('listening', resolveListen);
    server.once('error', reject);
  });
  // Slow clients (slowloris) must not hold sockets for ever; uploads get a generous window.
  server.headersTimeout = 30_000;
  server.requestTimeout = UPLOAD_TEMP_MAX_AGE_MS;
  server.keepAliveTimeout = 5_000;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST;
  return { server, port, host, url: `http://${host}:${port}` };
}
