import { AppError } from '../errors.js';

/**
 * Refuses a key that could name something outside the storage: `..` or `.` segments, an absolute
 * path, NUL, a backslash, an empty key or segment. Keys are ours (`jobs/<job_id>/…`), so this only
 * ever fires on a bug; every adapter checks the same way, a bucket as much as a disk.
 */
export function assertSafeKey(key: string): void {
  const segments = key.split('/');
  const unsafe =
    key.length === 0 ||
    key.includes('\0') ||
    key.includes('\\') ||
    key.startsWith('/') ||
    segments.some((s) => s === '' || s === '.' || s === '..');
  if (unsafe) throw new AppError('VALIDATION_ERROR', 'Invalid storage key');
}
