import { createServer, type Server } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { AppError } from '@image2model/core';
import { identityOf } from '../http/identity.js';
import { sendError } from '../http/error-handler.js';

/** `GET /metrics` on the API port: Prometheus text, for an admin key only. */
export function createMetricsHandler(registry: Registry, logger: Logger): RequestHandler {
  return async function serveMetrics(_req, res) {
    const { principal, credentialsPresent } = identityOf(res);
    if (!principal) {
      const message = credentialsPresent
        ? 'Invalid API key: send Authorization: Bearer <key> with a configured key'
        : 'Missing API key: send Authorization: Bearer <admin key>';
      sendError(res, new AppError('AUTHENTICATION_REQUIRED', message), logger);
      return;
    }
    if (!principal.isAdmin) {
      sendError(res, new AppError('INVALID_API_KEY', 'This endpoint needs an admin API key (ADMIN_API_KEYS)'), logger);
      return;
    }
    res.setHeader('Content-Type', registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.end(await registry.metrics());
  };
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * `METRICS_PORT`: a plain HTTP server with only `GET /metrics`, no key, for Prometheus on a private
 * network. Worker processes have no other HTTP port; each exposes its own metrics here.
 */
export async function startMetricsServer(opts: { registry: Registry; port: number; host: string }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: GET /metrics\n');
      return;
    }
    opts.registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': opts.registry.contentType, 'Cache-Control': 'no-store' }).end(text),
      () => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics failed\n'),
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : opts.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
