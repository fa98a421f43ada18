import { z } from 'zod';
import { AppError } from '@image2model/core';

/** The request header that names a mutation's key; replays answer with `Idempotent-Replayed: true`. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

export const IDEMPOTENCY_KEY_RULE = '1–255 printable ASCII characters';
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7E]{1,255}$/;

export const IdempotencyKeySchema = z
  .string()
  .regex(IDEMPOTENCY_KEY_PATTERN, `must be ${IDEMPOTENCY_KEY_RULE}`)
  .meta({
    description: `${IDEMPOTENCY_KEY_RULE}, e.g. a UUID. The first request with a key is processed; the same request again with the same key and API key within 24 h gets the first answer back and creates nothing`,
    example: '0b6a8f6e-1f8e-4c7e-9a55-2d0f4c7e9a55',
  });

/**
 * The input field of the idempotent mutations, for /trpc: its batches share one set of headers, so
 * a key per call travels in the input. On REST it means the same as the header.
 */
export const IdempotencyKeyField = {
  idempotency_key: IdempotencyKeySchema.optional().meta({ description: `Optional. As the ${IDEMPOTENCY_KEY_HEADER} header, which REST callers may send instead` }),
};

/** The `Idempotency-Key` header of a REST request: null when absent, a 400 when malformed. */
export function readIdempotencyKeyHeader(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!IDEMPOTENCY_KEY_PATTERN.test(value)) {
    throw new AppError('VALIDATION_ERROR', `Invalid ${IDEMPOTENCY_KEY_HEADER} header: it must be ${IDEMPOTENCY_KEY_RULE}`, { details: { field: IDEMPOTENCY_KEY_HEADER } });
  }
  return value;
}

/** The key of a call that may carry it twice (the header and the input field): both must agree. */
export function resolveIdempotencyKey(header: string | null, field: string | undefined): string | null {
  if (field === undefined) return header;
  if (header !== null && header !== field) {
    throw new AppError('VALIDATION_ERROR', `The ${IDEMPOTENCY_KEY_HEADER} header and the idempotency_key field differ: send one of them`, {
      details: { field: 'idempotency_key' },
    });
  }
  return field;
}
