import { ERROR_STATUS, type ErrorCode } from '@image2model/core';
import type { OpenAPIObject } from 'trpc-to-openapi';
import { errorCodesOf, OPERATION_FACTS, type OperationAccess, type OperationFacts } from './openapi-operations.js';
import { commonHeaders, errorResponse, headerRef, HEADERS, type HeaderName, type HeaderObject, type ResponseObject } from './openapi-responses.js';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_KEY_RULE } from './idempotency-key.js';

type PathItem = NonNullable<OpenAPIObject['paths']>[string];
type Operation = NonNullable<PathItem['get']>;
type SecurityRequirement = NonNullable<Operation['security']>[number];
type SecuritySchemes = NonNullable<NonNullable<OpenAPIObject['components']>['securitySchemes']>;
type Parameters = NonNullable<NonNullable<OpenAPIObject['components']>['parameters']>;

/** The request header of the idempotent operations (OPERATION_FACTS' `idempotent`). */
const PARAMETERS = {
  IdempotencyKey: {
    name: IDEMPOTENCY_KEY_HEADER,
    in: 'header',
    required: false,
    description: `${IDEMPOTENCY_KEY_RULE}, new for each new request (e.g. a UUID), the same when retrying it. The first request with a key is processed; the same request again with the same key and API key within 24 h gets the first one's status and body back with \`Idempotent-Replayed: true\`, and creates nothing. Another request under a used key is 422 \`IDEMPOTENCY_KEY_REUSED\`; one that arrives while the first is still being processed is 409 \`CONFLICT\` (\`details.reason: "idempotency_key_in_use"\`). Only successful answers are kept: after an error the same key runs the request again. A replay counts against the rate limits.`,
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: IDEMPOTENCY_KEY_PATTERN.source },
  },
} satisfies Parameters;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Every operation's tag, described. */
const TAGS = [
  { name: 'health', description: 'Liveness and readiness probes, open to anyone' },
  { name: 'upload', description: 'Upload photos: each becomes a file of a new batch job, queued at once' },
  { name: 'models', description: "Generate a file's model again" },
  { name: 'status', description: "A job's status, and its events as they happen" },
  { name: 'jobs', description: "Manage jobs: cancel running work, retry what failed or was cancelled, inspect and redeliver a job's webhooks" },
  { name: 'download', description: 'Models, previews, and every model of a job as one ZIP' },
  { name: 'admin', description: 'Operator endpoints (admin key)' },
  { name: 'logs', description: "The service's own log (admin key)" },
  { name: 'webhooks', description: "The events the server sends to a job's webhook URL (the document's top-level `webhooks`), signed per Standard Webhooks" },
];

export const SECURITY_SCHEMES = {
  BearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key (API_KEYS, or ADMIN_API_KEYS for admin routes): `Authorization: Bearer <key>`' },
  SessionId: {
    type: 'apiKey',
    in: 'query',
    name: 'session_id',
    description: "A job's `session_id` (from the upload's answer): read-only access to that job, without a key. A wrong Bearer key beside it is still 401.",
  },
} satisfies SecuritySchemes;

/** Alternatives are OR-ed: the read routes take a key or the job's session_id; health takes nothing. */
const SECURITY: Record<OperationAccess, SecurityRequirement[]> = {
  public: [],
  apiKey: [{ BearerAuth: [] }],
  adminKey: [{ BearerAuth: [] }],
  apiKeyOrSession: [{ BearerAuth: [] }, { SessionId: [] }],
};

/**
 * What trpc-to-openapi cannot express, added in this one place: the spec's error body and every
 * status each operation can answer (its own error schemas replaced), the headers the service
 * promises, security per operation, described tags. Fails on an operation OPERATION_FACTS does not
 * describe, so a new endpoint cannot be documented by halves.
 */
export function completeOpenApiDocument(doc: OpenAPIObject): OpenAPIObject {
  const undescribed = new Set(Object.keys(OPERATION_FACTS));
  const knownTags = new Set(TAGS.map((tag) => tag.name));
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const facts = operation.operationId === undefined ? undefined : OPERATION_FACTS[operation.operationId];
      if (!operation.operationId || !facts) throw new Error(`${where}: its operationId (${operation.operationId}) has no entry in OPERATION_FACTS`);
      if (!operation.summary || !operation.description) throw new Error(`${where}: needs a summary and a description`);
      if (!operation.tags?.length || !operation.tags.every((tag) => knownTags.has(tag))) throw new Error(`${where}: needs a tag from TAGS`);
      undescribed.delete(operation.operationId);
      operation.security = SECURITY[facts.access];
      if (facts.idempotent) operation.parameters = [...(operation.parameters ?? []), { $ref: '#/components/parameters/IdempotencyKey' }];
      operation.responses = responsesOf(operation, facts);
    }
  }
  if (undescribed.size > 0) throw new Error(`OPERATION_FACTS describes operations the document lacks: ${[...undescribed].join(', ')}`);

  const components = doc.components ?? {};
  // trpc-to-openapi's own error bodies ({message, code, issues}): the service never sends them.
  const schemas = Object.fromEntries(Object.entries(components.schemas ?? {}).filter(([name]) => !name.startsWith('error.')));
  doc.components = {
    ...components,
    schemas,
    headers: { ...HEADERS } as Record<string, HeaderObject>,
    parameters: { ...components.parameters, ...PARAMETERS },
    securitySchemes: SECURITY_SCHEMES,
  };
  doc.tags = TAGS;
  return doc;
}

function responsesOf(operation: Operation, facts: OperationFacts): Record<string, ResponseObject> {
  const { rateLimited } = facts;
  const responses: Record<string, ResponseObject> = {};
  const withHeaders = (status: string, response: ResponseObject): ResponseObject => {
    const replayed: HeaderName[] = facts.idempotent && status.startsWith('2') ? ['Idempotent-Replayed'] : [];
    const promised = Object.fromEntries([...(facts.headers?.[status] ?? []), ...replayed].map((name) => [name, headerRef(name)]));
    return { ...response, headers: { ...commonHeaders({ rateLimited, status: Number(status) }), ...promised } };
  };
  // Generated error answers are dropped: the error bodies below replace them.
  for (const [status, response] of Object.entries(operation.responses ?? {}) as [string, ResponseObject][]) {
    if (Number(status) < 400) responses[status] = withHeaders(status, response);
  }
  for (const [status, other] of Object.entries(facts.otherResponses ?? {})) {
    responses[status] = withHeaders(status, {
      description: other.description,
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${other.schemaRef}` } } },
    });
  }
  const codesByStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(facts)) codesByStatus.set(ERROR_STATUS[code], [...(codesByStatus.get(ERROR_STATUS[code]) ?? []), code]);
  for (const [status, codes] of codesByStatus) {
    if (responses[status]) throw new Error(`${operation.operationId}: status ${status} is both ${codes.join(', ')} and another answer`);
    responses[status] = errorResponse(status, codes, { rateLimited });
  }
  return Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)));
}
