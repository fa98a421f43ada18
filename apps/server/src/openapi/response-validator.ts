import { createRequire } from 'node:module';
import type { Exchange } from './exchange-recorder.js';

/**
 * Prism's own router and validators (@stoplight/prism-http 5.12.0, the version prism-cli 5.14.2's
 * validation proxy runs; later ones need Node 24), called in-process: the same checks the proxy
 * makes between a client and the service, on answers this test already holds.
 */
const require = createRequire(import.meta.url);

type Either<L, R> = { _tag: 'Left'; left: L } | { _tag: 'Right'; right: R };

interface Diagnostic {
  message: string;
  path?: (string | number)[];
}

interface PrismOperation {
  iid?: string;
  method: string;
  path: string;
  responses: { code: string }[];
}

interface PrismRequest {
  method: string;
  url: { path: string; query: Record<string, string | string[]> };
  headers: Record<string, string>;
}

interface PrismResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

const { getHttpOperationsFromSpec } = require('@stoplight/prism-http') as { getHttpOperationsFromSpec(document: unknown): Promise<PrismOperation[]> };
const { validateOutput, validateSecurity } = require('@stoplight/prism-http/dist/validator/index.js') as {
  validateOutput(args: { resource: PrismOperation; element: PrismResponse }): Either<Diagnostic[], unknown>;
  validateSecurity(args: { resource: PrismOperation; element: Pick<PrismRequest, 'headers' | 'url'> }): Either<Diagnostic[], unknown>;
};
const route = (require('@stoplight/prism-http/dist/router/index.js') as { default: (args: { resources: PrismOperation[]; input: PrismRequest }) => Either<Error, PrismOperation> })
  .default;

export interface Verdict {
  /** The operation the document routes the request to; null when none does. */
  operationId: string | null;
  problems: string[];
}

/** The body as a validator reads it: JSON parsed, anything else as a string (text, or bytes as latin1). */
function bodyOf(exchange: Exchange): unknown {
  const type = exchange.headers['content-type'] ?? '';
  if (exchange.body.length === 0) return undefined;
  if (/^application\/json\b/.test(type)) return JSON.parse(exchange.body.toString('utf8'));
  return exchange.body.toString(/^text\//.test(type) ? 'utf8' : 'latin1');
}

/**
 * Checks one answer against the served document: the request routes to an operation, the status
 * is declared there (explicitly: an undeclared status is a problem even where Prism only warns),
 * the body and content type conform, the promised headers are present; and when the service let
 * the request through, the operation's `security` lets it through too.
 */
export async function createResponseValidator(document: unknown, apiPrefix = '/api/v1') {
  const operations = await getHttpOperationsFromSpec(structuredClone(document));
  return {
    operationIds: operations.map((operation) => operation.iid ?? `${operation.method} ${operation.path}`),
    declaredStatuses: new Map(operations.map((operation) => [operation.iid ?? '', operation.responses.map((response) => response.code)])),

    check(exchange: Exchange): Verdict {
      const url = new URL(exchange.path, 'http://service');
      if (!url.pathname.startsWith(`${apiPrefix}/`)) return { operationId: null, problems: [`${url.pathname} is outside ${apiPrefix}`] };
      const query: Record<string, string | string[]> = {};
      for (const key of new Set(url.searchParams.keys())) {
        const values = url.searchParams.getAll(key);
        query[key] = values.length === 1 ? (values[0] as string) : values;
      }
      const request: PrismRequest = { method: exchange.method.toLowerCase(), url: { path: url.pathname.slice(apiPrefix.length), query }, headers: exchange.requestHeaders };
      const routed = route({ resources: operations, input: request });
      if (routed._tag === 'Left') return { operationId: null, problems: [`no operation for ${exchange.method} ${url.pathname}: ${routed.left.message}`] };
      const operation = routed.right;
      const problems: string[] = [];
      if (!operation.responses.some((response) => response.code === String(exchange.status))) {
        problems.push(`status ${exchange.status} is not declared (declared: ${operation.responses.map((r) => r.code).join(', ')})`);
      }
      const output = validateOutput({ resource: operation, element: { statusCode: exchange.status, headers: exchange.headers, body: bodyOf(exchange) } });
      if (output._tag === 'Left') problems.push(...output.left.map((d) => `${d.path?.join('.') ?? ''} ${d.message}`.trim()));
      if (exchange.status < 400) {
        const security = validateSecurity({ resource: operation, element: request });
        if (security._tag === 'Left') problems.push(`answered ${exchange.status}, yet the document's security refuses the request: ${security.left.map((d) => d.message).join('; ')}`);
      }
      return { operationId: operation.iid ?? null, problems };
    },
  };
}
