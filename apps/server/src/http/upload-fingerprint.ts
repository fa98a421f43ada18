import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { requestFingerprint } from '@image2model/core';

/** The operation name an upload's idempotency records carry (a procedure's would be its path). */
const UPLOAD_OPERATION = 'upload.batch';

async function sha256OfFile(path: string): Promise<string> {
  const digest = createHash('sha256');
  await pipeline(createReadStream(path), digest);
  return digest.digest('hex');
}

/**
 * What makes two uploads "the same request" under one Idempotency-Key: each file's content hash and
 * name, in order, and the parsed fields. Computed from the temp files once every part has arrived.
 */
export async function uploadFingerprint(files: readonly { path: string; originalname: string }[], fields: Record<string, unknown>): Promise<string> {
  const hashed = [];
  for (const file of files) hashed.push({ name: file.originalname, sha256: await sha256OfFile(file.path) });
  return requestFingerprint(UPLOAD_OPERATION, { files: hashed, fields });
}
