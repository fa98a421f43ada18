import type { LookupAddress, LookupOptions } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createRequire } from 'node:module';
import type { LookupFunction } from 'node:net';
import type { WebhookSignatureHeaders } from './webhook-signing.js';
import { checkResolvedHost, parseWebhookUrl, type WebhookUrlPolicy } from './webhook-url-policy.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };
const USER_AGENT = `Image2Model-Webhooks/${version}`;

/** The most of a receiver's answer read (then dropped): enough to end the exchange politely. */
const RESPONSE_READ_CAP = 4096;

/** @default 10_000 (`WEBHOOK_TIMEOUT_MS`) */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

export interface SendWebhookInput {
  url: string;
  body: string;
  headers: WebhookSignatureHeaders;
  policy: WebhookUrlPolicy;
  /** The whole attempt (connect, send, answer) must end within this. @default 10_000 */
  timeoutMs?: number;
  /** Aborts the attempt (a closing dispatcher): the result is then not an outcome to record. */
  signal?: AbortSignal;
}

export interface WebhookAttemptResult {
  /** A 2xx answer: delivered. */
  ok: boolean;
  /** The receiver's status code, when it answered. */
  status?: number;
  /** Why the attempt failed without a usable answer (refused address, timeout, connection error, redirect). */
  error?: string;
  duration_ms: number;
  /** The attempt was aborted through `signal`: it says nothing about the receiver. */
  aborted?: boolean;
}

/**
 * The connection's own DNS lookup, checked: every address the host resolves to must pass the
 * policy, and the socket connects only to those addresses. Checking here rather than before the
 * request means a name cannot resolve to a public address for the check and to an inside one for
 * the connection (DNS rebinding).
 */
function checkedLookup(policy: WebhookUrlPolicy): LookupFunction {
  return (hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    void checkResolvedHost(hostname, policy).then((check) => {
      if (!check.ok) {
        callback(Object.assign(new Error(`the URL ${check.reason}`), { code: 'EWEBHOOKADDRESS' }), []);
        return;
      }
      const family = options.family === 4 || options.family === 6 ? options.family : undefined;
      const addresses = check.addresses.filter((address) => family === undefined || address.family === family);
      const first = addresses[0];
      if (!first) callback(Object.assign(new Error(`${hostname} has no IPv${family} address`), { code: 'ENOTFOUND' }), []);
      else if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/** Idle connections kept per receiver host, and how long: most jobs send a burst of events to one URL. */
const KEEP_ALIVE = { keepAlive: true, maxSockets: 16, maxFreeSockets: 4, timeout: 5_000 } as const;

/**
 * Connections are kept alive and reused per policy: a socket is only ever opened through the
 * checked lookup (the agent passes `lookup` to each connection it creates), so a reused one is to
 * an address that passed the check when it was made.
 */
const agents = new Map<string, { http: HttpAgent; https: HttpsAgent }>();
function agentsFor(policy: WebhookUrlPolicy): { http: HttpAgent; https: HttpsAgent } {
  const key = `${policy.allowHttp ? 1 : 0}${policy.allowPrivate ? 1 : 0}`;
  let pair = agents.get(key);
  if (!pair) {
    pair = { http: new HttpAgent(KEEP_ALIVE), https: new HttpsAgent(KEEP_ALIVE) };
    agents.set(key, pair);
  }
  return pair;
}

/** Reads up to the cap of an answer, then closes it (never waiting on a receiver that stalls mid-body: see the attempt's timer). */
function drain(response: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    let read = 0;
    const done = () => {
      response.destroy();
      resolve();
    };
    response.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read >= RESPONSE_READ_CAP) done();
    });
    // Read to its end, the connection goes back to the agent for the next attempt.
    response.on('end', resolve);
    response.on('error', done);
    response.on('close', done);
  });
}

function outcomeOf(status: number): Omit<WebhookAttemptResult, 'duration_ms'> {
  if (status >= 200 && status < 300) return { ok: true, status };
  if (status >= 300 && status < 400) return { ok: false, status, error: 'redirects are not followed' };
  return { ok: false, status };
}

/**
 * One delivery attempt: a POST of the body with its signature headers. Never throws: every way it
 * can go wrong is a result. Redirects are not followed (a 3xx is a failure); connections are kept
 * alive between attempts, and every new one goes through the checked lookup.
 * @example
 * const result = await sendWebhook({ url, body, headers: sign({ id, body }), policy, timeoutMs: 10_000 });
 */
export function sendWebhook(input: SendWebhookInput): Promise<WebhookAttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const parsed = parseWebhookUrl(input.url, input.policy);
  if (!parsed.ok) return Promise.resolve({ ok: false, error: `the URL ${parsed.reason}`, duration_ms: elapsed() });
  const timeoutMs = input.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const https = parsed.url.protocol === 'https:';
  const request = https ? httpsRequest : httpRequest;
  const agent = https ? agentsFor(input.policy).https : agentsFor(input.policy).http;

  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<WebhookAttemptResult, 'duration_ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...result, duration_ms: elapsed() });
    };
    const req = request(parsed.url, {
      method: 'POST',
      agent,
      lookup: checkedLookup(input.policy),
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(input.body),
        'user-agent': USER_AGENT,
        ...input.headers,
      },
      ...(input.signal ? { signal: input.signal } : {}),
    });
    // Over the whole exchange: it also ends a receiver that answers and then stalls mid-body.
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('response', (response) => {
      // The status is the outcome; what follows is read only to close the exchange.
      finish(outcomeOf(response.statusCode ?? 0));
      void drain(response).then(() => clearTimeout(timer));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (input.signal?.aborted) finish({ ok: false, error: 'aborted', aborted: true });
      else finish({ ok: false, error: error.message || error.code || 'connection failed' });
    });
    req.end(input.body);
  });
}
