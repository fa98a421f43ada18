import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { EmulatedGeneration } from './generation.js';
import { BodyTooLargeError, keyOf, parseJson, readBody, sendJson } from './http.js';
import { cancel, result, status, statusStream, submit } from './queue-routes.js';
import { ScenarioPlan, type FalScenario } from './scenarios.js';
import {
  requireKey,
  type EmulatorState,
  type RecordedCancel,
  type RecordedFetch,
  type RecordedRequest,
  type RecordedSubmit,
  type RecordedUpload,
  type StoredFile,
  type TripoOutput,
} from './state.js';
import { download, initiateUpload, putUpload } from './storage-routes.js';
import { makeTripoModel, type ModelMaker } from './tripo-model.js';

export interface FalEmulatorOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** What every submit does unless `queueScenarios` says otherwise. @default 'success' */
  scenario?: FalScenario;
  /** Time a request waits in the queue (its position counts down meanwhile). @default 1000 */
  queueMs?: number;
  /** Time from IN_PROGRESS to COMPLETED (at least as long as making the model takes). @default 3000 */
  processingMs?: number;
  /** Keys accepted in `Authorization: Key …`; by default any key is accepted, a missing one is 401. */
  keys?: string[];
  /**
   * The URLs handed out: `fal` (FAL's own hosts, queue.fal.run and v3.fal.media, which a client
   * pointed at this emulator rewrites) or `local` (this emulator's origin, usable by any client).
   * @default 'fal'
   */
  urls?: 'fal' | 'local';
  /** Makes each model (once the request leaves the queue). @default a real GLB from the uploaded photo, by `@image2model/mesh` */
  makeModel?: ModelMaker;
  /** Rewrites each successful result before it is sent (e.g. a model URL on a foreign host). @default none */
  transformResult?: (output: TripoOutput) => unknown;
  /** Rewrites the `upload_url` storage hands out (e.g. one on an internal host, which a client must refuse). @default none */
  transformUploadUrl?: (url: string) => string;
}

export interface FalEmulatorRecords {
  /** Every request received, in order (bodies of JSON requests included). */
  requests: RecordedRequest[];
  /** Every queue submit, accepted or not. */
  submits: RecordedSubmit[];
  /** Every file uploaded through the storage API, with its bytes. */
  uploads: RecordedUpload[];
  /** Every call of the queue's cancel route, with the phase it found the request in and the answer. */
  cancels: RecordedCancel[];
  /** Every download of an `image_url` that is not on the emulator's storage (a presigned bucket URL). */
  fetches: RecordedFetch[];
}

export interface FalEmulator extends FalEmulatorRecords {
  /** `http://host:port`: what `FAL_BASE_URL` points at. */
  url: string;
  port: number;
  /** Changes the scenario of every later submit that `queueScenarios` does not cover. */
  setScenario(scenario: FalScenario): void;
  /** The next submits (one generation each, retries included) follow these scenarios, in order. */
  queueScenarios(...scenarios: FalScenario[]): void;
  /**
   * Holds every later cancel unapplied and unanswered (the client waits on it) until the returned
   * function is called, which applies and answers them in order (a client gone meanwhile misses
   * only the answer) and stops holding.
   */
  holdCancels(): () => void;
  /** Submits that were handed a request id: what FAL would bill. */
  acceptedSubmits(): RecordedSubmit[];
  /** The model file (GLB) a request produced, once it exists; never for a request a cancel stopped. */
  modelOf(requestId: string): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

const FAL_QUEUE_BASE = 'https://queue.fal.run';
const FAL_MEDIA_BASE = 'https://v3.fal.media';

function isFalHost(host: string): boolean {
  return ['fal.run', 'fal.ai', 'fal.media'].some((domain) => host === domain || host.endsWith(`.${domain}`));
}

/**
 * Starts an HTTP server that speaks FAL's queue, storage and CDN protocol as `@fal-ai/client`
 * 1.10.1 uses it, for `tripo3d/tripo/v2.5/image-to-3d` and `tripo3d/tripo/v2.5/multiview-to-3d`,
 * with scripted failures and a record of everything it received (each submit's `input`, its image
 * URLs included, in `submits`).
 *
 * @example
 * const fal = await startFalEmulator({ queueMs: 100, processingMs: 300 });
 * fal.queueScenarios('429-then-success');
 * // … FAL_BASE_URL = fal.url …
 * expect(fal.acceptedSubmits()).toHaveLength(1);
 * await fal.close();
 */
export async function startFalEmulator(opts: FalEmulatorOptions = {}): Promise<FalEmulator> {
  let defaultScenario: FalScenario = opts.scenario ?? 'success';
  new ScenarioPlan(defaultScenario); // fail fast on an unknown scenario
  const queued: FalScenario[] = [];
  let origin = '';
  const generations = new Map<string, EmulatedGeneration>();
  const files = new Map<string, StoredFile>();

  const state: EmulatorState = {
    queueMs: opts.queueMs ?? 1000,
    processingMs: opts.processingMs ?? 3000,
    makeModel: opts.makeModel ?? makeTripoModel,
    keys: opts.keys ?? null,
    transformResult: opts.transformResult ?? ((output) => output),
    transformUploadUrl: opts.transformUploadUrl ?? ((url) => url),
    requests: [],
    submits: [],
    uploads: [],
    cancels: [],
    fetches: [],
    files,
    pendingUploads: new Map(),
    generations,
    hanging: new Set(),
    heldCancels: null,
    activeSubmitPlan: null,
    nextPlan: () => new ScenarioPlan(queued.shift() ?? defaultScenario),
    queueBase: () => (opts.urls === 'local' ? origin : FAL_QUEUE_BASE),
    mediaBase: () => (opts.urls === 'local' ? origin : FAL_MEDIA_BASE),
    isOwnUrl(url) {
      const parsed = URL.parse(url);
      return parsed !== null && (isFalHost(parsed.hostname) || parsed.origin === origin);
    },
    fileAt(url) {
      const parsed = URL.parse(url);
      if (parsed === null || !state.isOwnUrl(url)) return undefined;
      return files.get(parsed.pathname);
    },
  };

  const server = createServer((req, res) => {
    handle(state, req, res, { setScenario: (s) => (defaultScenario = s), queueScenarios: (s) => queued.push(...s) }).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else if (error instanceof BodyTooLargeError) sendJson(res, 413, { detail: 'Payload too large' });
      else sendJson(res, 500, { detail: `Emulator error: ${(error as Error).message}` });
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host === undefined || opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  origin = `http://${host}:${port}`;

  return {
    url: origin,
    port,
    requests: state.requests,
    submits: state.submits,
    uploads: state.uploads,
    cancels: state.cancels,
    fetches: state.fetches,
    setScenario(scenario) {
      new ScenarioPlan(scenario);
      defaultScenario = scenario;
    },
    queueScenarios(...scenarios) {
      for (const scenario of scenarios) new ScenarioPlan(scenario);
      queued.push(...scenarios);
    },
    holdCancels() {
      const held: (() => void)[] = [];
      state.heldCancels = held;
      return () => {
        if (state.heldCancels === held) state.heldCancels = null;
        for (const apply of held.splice(0)) apply();
      };
    },
    acceptedSubmits: () => state.submits.filter((s) => s.accepted),
    async modelOf(requestId) {
      const generation = generations.get(requestId);
      const outcome = generation ? await generation.settledPromise : undefined;
      return outcome?.kind === 'model' && !generation?.stopped ? outcome.model.model : undefined;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await Promise.allSettled([...generations.values()].map((g) => g.settledPromise));
    },
  };
}

interface Control {
  setScenario(scenario: FalScenario): void;
  queueScenarios(scenarios: FalScenario[]): void;
}

const QUEUE_REQUEST = /^\/([^/]+\/[^/]+)\/requests\/([^/]+)(\/status|\/status\/stream|\/cancel)?$/;

async function handle(state: EmulatorState, req: IncomingMessage, res: ServerResponse, control: Control): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const method = req.method ?? 'GET';
  const path = url.pathname;
  const bytes = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req);
  const isJson = (req.headers['content-type'] ?? '').includes('application/json');
  const body = isJson ? parseJson(bytes) : undefined;
  state.requests.push({
    method,
    path,
    query: Object.fromEntries(url.searchParams),
    authorization: req.headers.authorization ?? null,
    ...(body !== undefined ? { body } : {}),
    at: Date.now(),
  });

  if (method === 'PUT' && path.startsWith('/upload/')) return putUpload(state, res, path.slice('/upload/'.length), bytes, req.headers['content-type']);
  if (method === 'GET' && path.startsWith('/files/')) return download(state, req, res, path);
  if (path.startsWith('/_emulator/')) return handleControl(state, res, method, path, body, control);

  // Everything else is FAL's authenticated API.
  if (!requireKey(req, res, state, keyOf(req))) return;
  if (method === 'POST' && path === '/storage/upload/initiate') return initiateUpload(state, res, body);
  const queueRequest = QUEUE_REQUEST.exec(path);
  if (queueRequest) {
    const [, app = '', id = '', action] = queueRequest;
    const withLogs = url.searchParams.get('logs') === '1';
    if (method === 'GET' && action === '/status') return status(state, req, res, app, id, withLogs);
    if (method === 'GET' && action === '/status/stream') return statusStream(state, req, res, app, id, withLogs);
    if (method === 'GET' && action === undefined) return result(state, req, res, app, id);
    if (method === 'PUT' && action === '/cancel') return cancel(state, res, app, id);
  } else if (method === 'POST' && path.split('/').filter(Boolean).length >= 2) {
    return submit(state, req, res, path.replace(/^\/+|\/+$/g, ''), body);
  }
  sendJson(res, 404, { detail: 'Not Found' });
}

/** Plain HTTP control for demos (`npm run fal-emulator`); tests use the methods instead. */
function handleControl(state: EmulatorState, res: ServerResponse, method: string, path: string, body: unknown, control: Control): void {
  if (method === 'GET' && path === '/_emulator/records') {
    sendJson(res, 200, {
      submits: state.submits,
      uploads: state.uploads.map(({ bytes, ...upload }) => ({ ...upload, size: bytes.length })),
      cancels: state.cancels,
      fetches: state.fetches,
      requests: state.requests.length,
    });
    return;
  }
  if (method === 'POST' && path === '/_emulator/scenario') {
    const { scenario, next } = (body ?? {}) as { scenario?: FalScenario; next?: boolean };
    try {
      new ScenarioPlan(scenario ?? 'success');
    } catch (error) {
      sendJson(res, 400, { detail: (error as Error).message });
      return;
    }
    if (next) control.queueScenarios([scenario ?? 'success']);
    else control.setScenario(scenario ?? 'success');
    sendJson(res, 200, { scenario: scenario ?? 'success', next: next === true });
    return;
  }
  sendJson(res, 404, { detail: 'Not Found' });
}
