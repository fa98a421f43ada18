import { describe, expect, it } from 'vitest';
import { AppError, isStorageFull, storageFullError, toAppError } from './errors.js';

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: no space left on device, write '/data/jobs/x/job.json'`), { code });

describe('a full disk', () => {
  it('is recognised by ENOSPC or EDQUOT anywhere in the cause chain, and nothing else', () => {
    expect(isStorageFull(errno('ENOSPC'))).toBe(true);
    expect(isStorageFull(new Error('wrapped', { cause: new Error('again', { cause: errno('EDQUOT') }) }))).toBe(true);
    expect(isStorageFull(errno('EACCES'))).toBe(false);
    expect(isStorageFull('ENOSPC')).toBe(false);
    expect(storageFullError(errno('EIO'))).toBeNull();
  });

  it('becomes a public 507 INSUFFICIENT_STORAGE that says what to do, without the path', () => {
    const error = toAppError(new Error('write failed', { cause: errno('ENOSPC') }));
    expect(error.status).toBe(507);
    const body = error.toBody();
    expect(body.detail.code).toBe('INSUFFICIENT_STORAGE');
    expect(body.detail.message).toMatch(/out of storage space.*try again later.*free disk space/i);
    expect(body.detail.message).not.toContain('/data');
    expect(body.detail.details).toEqual({});
  });

  it('leaves other errors masked and AppErrors as they are', () => {
    expect(toAppError(errno('EIO')).toBody().detail).toMatchObject({ code: 'PROCESSING_ERROR', message: expect.not.stringContaining('EIO') });
    const conflict = new AppError('CONFLICT', 'busy', { cause: errno('ENOSPC') });
    expect(toAppError(conflict)).toBe(conflict);
  });
});
