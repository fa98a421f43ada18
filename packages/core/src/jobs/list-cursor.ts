import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../errors.js';
import { JOB_ID_PATTERN } from '../ids.js';
import type { JobListPosition } from './job-store.js';

/** Bytes of the HMAC kept in a cursor: forging one means guessing 128 bits. */
const MAC_BYTES = 16;

function macOf(key: Buffer, owner: string, payload: string): Buffer {
  return createHmac('sha256', key).update(owner).update('\n').update(payload).digest().subarray(0, MAC_BYTES);
}

/**
 * An opaque cursor: the position of a page's last job and an HMAC of it bound to the owner (the
 * caller's key hash) under the deployment's cursor key, so a cursor changed by hand, or made for
 * another key, is refused instead of read.
 */
export function encodeListCursor(position: JobListPosition, owner: string, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify([position.created_at, position.job_id])).toString('base64url');
  return `${payload}.${macOf(key, owner, payload).toString('base64url')}`;
}

/** The position in a cursor this owner was given; VALIDATION_ERROR for anything else. */
export function decodeListCursor(cursor: string, owner: string, key: Buffer): JobListPosition {
  const invalid = (): AppError => new AppError('VALIDATION_ERROR', 'cursor is not a cursor this API key was given', { details: { field: 'cursor' } });
  const [payload, mac, ...rest] = cursor.split('.');
  if (payload === undefined || mac === undefined || rest.length > 0) throw invalid();
  const presented = Buffer.from(mac, 'base64url');
  const expected = macOf(key, owner, payload);
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const [created_at, job_id] = Array.isArray(decoded) ? (decoded as unknown[]) : [];
  if (typeof created_at !== 'string' || typeof job_id !== 'string' || !JOB_ID_PATTERN.test(job_id) || Number.isNaN(Date.parse(created_at))) throw invalid();
  return { created_at, job_id };
}
