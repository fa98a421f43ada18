import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { Router, type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import cors from 'cors';
import type { Logger } from 'pino';
import type { ApiKeyAuth, ApiServices } from '@image2model/api';
import { API_PREFIX, HAND_WRITTEN_ROUTES, IDEMPOTENT_REPLAYED_HEADER, expressRoute } from '@image2model/api';
import { requestContext } from './http/request-context.js';
import { accessLog } from './http/access-log.js';
import { identify } from './http/identity.js';
import { rateLimit, type RateLimiters } from './http/rate-limit.js';
import { sendTrpcError } from './http/trpc-errors.js';
import { createUploadHandler } from './http/uploads.js';
import { batchUploadForm, multiviewUploadForm } from './http/upload-forms.js';
import { createEventStreamHandler } from './http/event-stream.js';
import { createStatusHandler } from './http/status.js';
import { createModelDownloadHandler, createPreviewDownloadHandler, createZipDownloadHandler } from './http/downloads.js';
import { createPhotoDownloadHandler } from './http/photo-download.js';
import { createStreamLimit } from './http/open-streams.js';
import { createDocsRouter } from './http/docs.js';
import { createRestHandler, defaultEmptyJsonBody } from './http/rest.js';
import { createTrpcHandler } from './http/trpc.js';
import { createTrpcFastQuery } from './http/trpc-fast-query.js';
import { limitTrpcBatch, trpcCallCount } from './http/trpc-batch.js';
import { createErrorHandler, notFoundHandler } from './http/error-handler.js';
import type { Metrics } from './metrics/metrics.js';
import type { TrustProxy } from './trust-proxy.js';
import { observeHttp } from './metrics/http-metrics.js';
import { createMetricsHandler } from './metrics/metrics-http.js';

export interface AppConfig {
  /** Absolute origin for URLs we hand out; default: each request's own origin. */
  publicUrl: string | undefined;
  maxFiles: number;
  maxFileSizeMb: number;
  maxImagePixels: number;
  uploadTempDir: string;
  corsOrigins: readonly string[];
  heartbeatMs: number;
  version: string;
  /** The most calls one tRPC batch may make (MAX_BATCH_SIZE). */
  maxBatchSize: number;
  /** Express's `trust proxy` (TRUST_PROXY). */
  trustProxy: TrustProxy;
  maxStreamsPerKey: number;
  slowReaderTimeoutMs: number;
}

export interface AppDeps {
  config: AppConfig;
  services: ApiServices;
  auth: ApiKeyAuth;
  rateLimiters: RateLimiters;
  logger: Logger;
  /** Request timing, open streams and rate-limit rejections, and `GET /metrics` (admin key). */
  metrics?: Metrics;
}

const JSON_BODY_LIMIT = '1mb';

/** The web app's build (apps/web/dist), found relative to this package from src/ and dist/ alike. */
const WEB_APP_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * The page's own policy, stricter than the API's: its scripts and styles come from this server, and
 * the model viewer reads textures from `blob:` URLs (three.js's GLTFLoader fetches and decodes them).
 */
const WEB_APP_CSP = helmet.contentSecurityPolicy({
  useDefaults: false,
  directives: {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'blob:'],
    'connect-src': ["'self'", 'blob:'],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'self'"],
  },
});

/** `/` and the page's assets; hashed assets are cached for good, index.html never. */
function serveWebApp(dir: string): RequestHandler[] {
  const files = express.static(dir, {
    index: 'index.html',
    setHeaders(res, path) {
      res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return [WEB_APP_CSP, files];
}

/** The whole HTTP surface, without listening: tests and main.ts both call this. */
export function createApp({ config, services, auth, rateLimiters, logger, metrics }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // req.ip and req.protocol (rate limits, model_url) from X-Forwarded-* only when these proxies sent them.
  app.set('trust proxy', config.trustProxy);

  app.use(requestContext);
  if (metrics) app.use(observeHttp(metrics));
  app.use(accessLog(logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { 'img-src': ["'self'", 'data:', 'blob:'], 'connect-src': ["'self'"], 'worker-src': ["'self'", 'blob:'] },
      },
    }),
  );
  // Closed by default: no middleware at all then (it would add nothing), one less layer per request.
  if (config.corsOrigins.length > 0) {
    app.use(cors({ origin: [...config.corsOrigins], exposedHeaders: ['X-Request-ID', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After', IDEMPOTENT_REPLAYED_HEADER] }));
  }
  app.use(identify(auth));

  const context = { services, publicUrl: config.publicUrl, logger };
  const limit = rateLimit(rateLimiters, logger, { onReject: (window) => metrics?.rateLimitRejections.inc({ window }) });
  const jobs = services.jobs;

  const api = Router();
  const rest = createRestHandler(context);
  api.get(['/health', '/health/ready'], rest);
  api.use(limit);
  const uploads = {
    jobs,
    idempotency: services.idempotency,
    uploadTempDir: config.uploadTempDir,
    maxFileSizeMb: config.maxFileSizeMb,
    maxImagePixels: config.maxImagePixels,
    logger,
  };
  api.post(expressRoute(HAND_WRITTEN_ROUTES.uploadBatch), createUploadHandler(uploads, batchUploadForm(config.maxFiles)));
  api.post(expressRoute(HAND_WRITTEN_ROUTES.uploadMultiview), createUploadHandler(uploads, multiviewUploadForm()));
  api.get('/status/:job_id', createStatusHandler(context));
  const streamLimit = createStreamLimit(config.maxStreamsPerKey, logger);
  const limitStreams = streamLimit();
  const downloads = { jobs, logger, slowReaderTimeoutMs: config.slowReaderTimeoutMs };
  api.get(expressRoute(HAND_WRITTEN_ROUTES.statusStream), limitStreams, createEventStreamHandler({ ...context, heartbeatMs: config.heartbeatMs }));
  api.get(expressRoute(HAND_WRITTEN_ROUTES.downloadAll), limitStreams, createZipDownloadHandler(downloads));
  api.get(expressRoute(HAND_WRITTEN_ROUTES.downloadModel), limitStreams, createModelDownloadHandler(downloads));
  api.get(expressRoute(HAND_WRITTEN_ROUTES.downloadPreview), limitStreams, createPreviewDownloadHandler(downloads));
  api.get(expressRoute(HAND_WRITTEN_ROUTES.downloadPhoto), limitStreams, createPhotoDownloadHandler(downloads));
  // After the hot routes: polling and streaming need not walk the docs router first.
  api.use(createDocsRouter({ ...config, publicUrl: config.publicUrl }));
  api.use(express.json({ limit: JSON_BODY_LIMIT }), defaultEmptyJsonBody, rest);
  app.use(API_PREFIX, api);

  const limitTrpc = rateLimit(rateLimiters, logger, { onReject: (window) => metrics?.rateLimitRejections.inc({ window }), respond: sendTrpcError, cost: trpcCallCount });
  const limitTrpcStreams = streamLimit({ respond: sendTrpcError, only: (req) => req.path === '/status.onEvents' });
  app.use('/trpc', limitTrpcBatch(config.maxBatchSize), limitTrpc, limitTrpcStreams, createTrpcFastQuery(context), createTrpcHandler(context));
  // Behind the API's limiter: a flood of wrong keys here gets 429s too. METRICS_PORT is not limited.
  if (metrics) app.get('/metrics', limit, createMetricsHandler(metrics.registry, logger));

  if (existsSync(WEB_APP_DIR)) app.use(serveWebApp(WEB_APP_DIR));
  else logger.warn(`The web app is not built (${WEB_APP_DIR} is missing): run npm run build to serve it at /`);

  app.use(notFoundHandler);
  app.use(createErrorHandler(logger));
  return app;
}
