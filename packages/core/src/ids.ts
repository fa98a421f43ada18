import { randomBytes, randomInt } from 'node:crypto';

export const JOB_ID_PATTERN = /^batch_\d{8}_\d{6}_[a-z0-9]{6}$/;
export const FILE_ID_PATTERN = /^file_\d{3,}$/;
export const SESSION_ID_PATTERN = /^sess_[A-Za-z0-9_-]{22,}$/;

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** `batch_YYYYMMDD_HHMMSS_xxxxxx`, in UTC. */
export function createJobId(now: Date = new Date()): string {
  const date = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const time = `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return `batch_${date}_${time}_${suffix}`;
}

/** `file_001`, `file_002`… (1-based; more than 999 files widen naturally). */
export function fileIdFor(index: number): string {
  return `file_${pad(index + 1, 3)}`;
}

/** 32 url-safe random characters (192 bits): a read-only capability for one job. */
export function createSessionId(): string {
  return `sess_${randomBytes(24).toString('base64url')}`;
}

/** Task ids minted by the local generator (FAL brings its own `request_id`). */
export function createTaskId(): string {
  return `task_${randomBytes(12).toString('hex')}`;
}
