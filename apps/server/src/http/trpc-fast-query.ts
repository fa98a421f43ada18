import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import superjson from 'superjson';
import { appRouter } from '@image2model/api';
import type { ContextFactoryOptions } from './context.js';
import { callerFor } from './caller.js';

type Callable = (input: unknown) => Promise<unknown>;

/** The router's queries by path (`status.get`, …): the only procedures this shortcut serves. */
const QUERY_PATHS = new Set(
  Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
    .filter(([, procedure]) => procedure._def.type === 'query')
    .map(([path]) => path),
);

/**
 * A single (unbatched) tRPC query over GET, answered through a server-side caller: the body and
 * headers tRPC's own handler writes for it, without its per-call WHATWG Request, AbortSignal and
 * response pipeline, which made `/trpc/status.get` cost 4× a bare route (BENCHMARKS.md, "status").
 * Only the successful answer is served here: anything else (a batch, streaming, bad input, an
 * error) falls through to tRPC's handler, which answers it in full. Queries have no side effects,
 * so one that failed here may run again there.
 */
export function createTrpcFastQuery(opts: ContextFactoryOptions): RequestHandler {
  return async function trpcFastQuery(req, res, next) {
    const path = req.path.slice(1);
    if (req.method !== 'GET' || !QUERY_PATHS.has(path)) {
      next();
      return;
    }
    // Read once: Express parses the query string again on every read of req.query.
    const query = req.query;
    // httpBatchLink (the typed client's) sends even a lone query as a batch of one: serve that too.
    const batched = query.batch === '1';
    if ((query.batch !== undefined && !batched) || !answersAsPlainJson(req.headers)) {
      next();
      return;
    }
    let data: unknown;
    try {
      const raw = query.input;
      const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : undefined;
      // tRPC takes a batch's inputs only from an object keyed by position.
      if (batched && parsed !== undefined && (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))) throw new Error('Malformed batch input');
      const serialized = batched ? (parsed as Record<string, unknown> | undefined)?.['0'] : parsed;
      const input = serialized === undefined ? undefined : superjson.deserialize(serialized as Parameters<typeof superjson.deserialize>[0]);
      const caller = callerFor(opts, req, res) as unknown as Record<string, Record<string, Callable>>;
      const [namespace = '', name = ''] = path.split('.');
      const procedure = caller[namespace]?.[name];
      if (procedure === undefined) throw new Error(`No caller for ${path}`);
      data = await procedure(input);
    } catch {
      next();
      return;
    }
    const answer = { result: { data: isJsonNative(data) ? { json: data } : superjson.serialize(data) } };
    const body = JSON.stringify(batched ? [answer] : answer);
    // Added to, not replacing, the Vary CORS may have set (Origin), so shared caches stay correct.
    res.vary('trpc-accept, accept');
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
}

/**
 * What tRPC answers with one JSON document: not a streamed (JSONL) answer, asked for with
 * `trpc-accept` or `Accept`, and not a GET carrying a body type tRPC refuses.
 */
function answersAsPlainJson(headers: IncomingHttpHeaders): boolean {
  if (headers['trpc-accept'] !== undefined || headers.accept?.includes('application/jsonl')) return false;
  const type = headers['content-type'];
  return type === undefined || type.startsWith('application/json');
}

/** Deeper values are left to superjson rather than walked here (and nothing we answer is that deep). */
const MAX_WALK_DEPTH = 64;

/**
 * True when superjson would add nothing to the value (no Date, Map, undefined, NaN, class…), so
 * its serialised form is `{ json: value }`; this walk costs a small fraction of superjson's.
 */
export function isJsonNative(value: unknown, depth = 0): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object':
      break;
    default:
      return false;
  }
  if (depth >= MAX_WALK_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) if (!isJsonNative(value[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  for (const key in value) if (!isJsonNative((value as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}
