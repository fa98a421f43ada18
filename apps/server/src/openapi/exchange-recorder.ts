import { request as httpRequest } from 'node:http';

/** One request and the answer it got, whole. */
export interface Exchange {
  method: string;
  /** Path and query, e.g. /api/v1/status/batch_…?session_id=… */
  path: string;
  requestHeaders: Record<string, string>;
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

export interface SendOptions {
  headers?: Record<string, string>;
  /** A multipart form, raw bytes or JSON (sent as application/json). GETs may carry one too. */
  body?: FormData | Buffer | string | object;
}

async function encode(body: SendOptions['body']): Promise<{ bytes: Buffer; type?: string } | null> {
  if (body === undefined) return null;
  if (body instanceof FormData) {
    const encoded = new Request('http://form', { method: 'POST', body });
    return { bytes: Buffer.from(await encoded.arrayBuffer()), type: encoded.headers.get('content-type') ?? undefined };
  }
  if (Buffer.isBuffer(body)) return { bytes: body };
  if (typeof body === 'string') return { bytes: Buffer.from(body) };
  return { bytes: Buffer.from(JSON.stringify(body)), type: 'application/json' };
}

/**
 * Sends requests with node:http (fetch cannot send a GET with a body, nor leave a redirect alone
 * without hiding it) and keeps every exchange, so a test can check each answer afterwards.
 */
export function createExchangeRecorder(origin: string) {
  const exchanges: Exchange[] = [];
  async function send(method: string, path: string, opts: SendOptions = {}): Promise<Exchange> {
    const encoded = await encode(opts.body);
    const requestHeaders: Record<string, string> = { ...(encoded?.type ? { 'content-type': encoded.type } : {}), ...opts.headers };
    if (encoded) requestHeaders['content-length'] = String(encoded.bytes.length);
    const exchange = await new Promise<Exchange>((resolve, reject) => {
      const req = httpRequest(`${origin}${path}`, { method, headers: requestHeaders, agent: false, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          resolve({ method, path, requestHeaders, status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
      req.on('error', reject);
      req.end(encoded?.bytes);
    });
    exchanges.push(exchange);
    return exchange;
  }
  return { exchanges, send };
}

export function jsonOf<T>(exchange: Exchange): T {
  return JSON.parse(exchange.body.toString('utf8')) as T;
}
