import { timingSafeEqual } from 'node:crypto';
import type { JobRecord } from './job.js';
import type { Access } from './job-service.js';

/** Constant-time comparison of a presented secret with the stored one. */
function sameSecret(presented: string | null, stored: string): boolean {
  if (presented === null) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The key that created the job. */
export function isOwner(job: JobRecord, access: Access): boolean {
  return sameSecret(access.owner, job.owner);
}

/** The owner's key, or the job's session id (read-only capability). */
export function canRead(job: JobRecord, access: Access): boolean {
  // Evaluate both, so the time taken does not tell which one matched.
  const owner = isOwner(job, access);
  const session = sameSecret(access.session_id, job.session_id);
  return owner || session;
}
