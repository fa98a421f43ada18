import type { ErrorCode } from '@image2model/core';
import type { HeaderName } from './openapi-responses.js';

/** Who may call an operation; its `security` in the document says exactly this. */
export type OperationAccess = 'public' | 'apiKey' | 'adminKey' | 'apiKeyOrSession';

export interface OperationFacts {
  access: OperationAccess;
  /**
   * Behind the rate limiter (every /api/v1 route but health): every answer carries X-RateLimit-*,
   * and any request may get 429 RATE_LIMIT_EXCEEDED, or 503 SERVICE_UNAVAILABLE when the limiter's
   * store (Redis) fails.
   */
  rateLimited: boolean;
  /**
   * The error codes this operation answers beyond those its access and rate limiting imply
   * (401 for a key, 403 for an admin key, 429 and 503 when rate limited, 500 always).
   */
  errors: readonly ErrorCode[];
  /** Answers other than the success and the error bodies, by status. */
  otherResponses?: Record<string, { description: string; schemaRef: string }>;
  /** Headers promised on particular answers (beyond X-Request-ID and the rate-limit ones), by status. */
  headers?: Record<string, readonly HeaderName[]>;
  /**
   * Takes an `Idempotency-Key` header: its success may carry `Idempotent-Replayed`, and it may
   * answer 422 IDEMPOTENCY_KEY_REUSED and 409 CONFLICT (`idempotency_key_in_use`).
   */
  idempotent?: true;
}

/**
 * What the service does on each operation that the generated document cannot know: checked
 * against every answer by apps/server/test/openapi/openapi-conformance.int.test.ts. Keyed by
 * operationId; building the document fails if an operation has no entry here, or an entry no operation.
 */
export const OPERATION_FACTS: Record<string, OperationFacts> = {
  'health-get': { access: 'public', rateLimited: false, errors: [] },
  // Its 503 is the Readiness body, not an error body (ARCHITECTURE.md, contract decisions).
  'health-ready': {
    access: 'public',
    rateLimited: false,
    errors: [],
    otherResponses: {
      503: { description: 'Not ready (`status: "not_ready"`): storage, or Redis when configured, fails; `checks` says which', schemaRef: 'Readiness' },
    },
  },
  // 413 past MAX_FILE_SIZE_MB, 507 when the data disk is full.
  'upload-batch': { access: 'apiKey', rateLimited: true, idempotent: true, errors: ['VALIDATION_ERROR', 'FILE_TOO_LARGE', 'INSUFFICIENT_STORAGE'] },
  'upload-multiview': { access: 'apiKey', rateLimited: true, idempotent: true, errors: ['VALIDATION_ERROR', 'FILE_TOO_LARGE', 'INSUFFICIENT_STORAGE'] },
  // 400 for a malformed session_id (e.g. given twice) with a key.
  'status-get': { access: 'apiKeyOrSession', rateLimited: true, errors: ['VALIDATION_ERROR', 'NOT_FOUND'] },
  'status-stream': { access: 'apiKeyOrSession', rateLimited: true, errors: ['VALIDATION_ERROR', 'NOT_FOUND'] },
  // 413 for a JSON body over 1 MiB, 409 while the file is pending or processing, 507 on a full disk.
  'models-generateSingle': {
    access: 'apiKey',
    rateLimited: true,
    idempotent: true,
    errors: ['VALIDATION_ERROR', 'NOT_FOUND', 'CONFLICT', 'FILE_TOO_LARGE', 'INSUFFICIENT_STORAGE'],
  },
  // 400 for a bad height_mm (or a malformed session_id with a key); 404 until completed or without our copy of the model.
  'models-printReport': { access: 'apiKeyOrSession', rateLimited: true, errors: ['VALIDATION_ERROR', 'NOT_FOUND'] },
  // 400 for a bad limit, status, date or cursor (a forged one, or another key's).
  'jobs-list': { access: 'apiKey', rateLimited: true, errors: ['VALIDATION_ERROR'] },
  // 404 also names unknown file ids; 413 for a JSON body over 1 MiB; 409 idempotency_key_in_use and 422 IDEMPOTENCY_KEY_REUSED (idempotent).
  'jobs-cancel': { access: 'apiKey', rateLimited: true, idempotent: true, errors: ['VALIDATION_ERROR', 'NOT_FOUND', 'FILE_TOO_LARGE'] },
  // 409 `nothing_to_retry`; 507 when a restarted file cannot be recorded on a full disk.
  'jobs-retry': { access: 'apiKey', rateLimited: true, idempotent: true, errors: ['VALIDATION_ERROR', 'NOT_FOUND', 'CONFLICT', 'FILE_TOO_LARGE', 'INSUFFICIENT_STORAGE'] },
  // 400 for malformed JSON (GETs parse a body too), 413 for one over 1 MiB; an id outside its pattern is an unknown job (404).
  'jobs-webhooks': { access: 'apiKey', rateLimited: true, errors: ['VALIDATION_ERROR', 'NOT_FOUND', 'FILE_TOO_LARGE'] },
  'jobs-redeliverWebhooks': { access: 'apiKey', rateLimited: true, idempotent: true, errors: ['VALIDATION_ERROR', 'NOT_FOUND', 'FILE_TOO_LARGE'] },
  // 400 for an unknown format or a bad height_mm.
  'download-model': {
    access: 'apiKeyOrSession',
    rateLimited: true,
    errors: ['VALIDATION_ERROR', 'NOT_FOUND'],
    headers: { 200: ['Content-Disposition'], 302: ['Location'] },
  },
  'download-preview': { access: 'apiKeyOrSession', rateLimited: true, errors: ['NOT_FOUND'] },
  'download-photo': { access: 'apiKeyOrSession', rateLimited: true, errors: ['NOT_FOUND'], headers: { 200: ['Content-Disposition'] } },
  'download-all': { access: 'apiKeyOrSession', rateLimited: true, errors: ['VALIDATION_ERROR', 'NOT_FOUND'], headers: { 200: ['Content-Disposition'] } },
  // The JSON routes parse any body they are sent, GETs included: malformed JSON is 400, over 1 MiB 413.
  'admin-systemInfo': { access: 'adminKey', rateLimited: true, errors: ['VALIDATION_ERROR', 'FILE_TOO_LARGE'] },
  'admin-cleanup': { access: 'adminKey', rateLimited: true, errors: ['VALIDATION_ERROR', 'FILE_TOO_LARGE'] },
  'logs-get': { access: 'adminKey', rateLimited: true, errors: ['VALIDATION_ERROR', 'FILE_TOO_LARGE'] },
};

/** Every code an operation can answer: its own, and those its access and rate limiting imply. */
export function errorCodesOf(facts: OperationFacts): ErrorCode[] {
  const implied: ErrorCode[] = ['PROCESSING_ERROR'];
  if (facts.access !== 'public') implied.push('AUTHENTICATION_REQUIRED');
  if (facts.access === 'adminKey') implied.push('INVALID_API_KEY');
  if (facts.rateLimited) implied.push('RATE_LIMIT_EXCEEDED', 'SERVICE_UNAVAILABLE');
  if (facts.idempotent) implied.push('IDEMPOTENCY_KEY_REUSED', 'CONFLICT');
  return [...new Set([...facts.errors, ...implied])];
}
