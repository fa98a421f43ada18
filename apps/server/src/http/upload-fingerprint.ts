import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { requestFingerprint } from '@image2model/core';

async function sha256OfFile(path: string): Promise<string> {
  const digest = createHash('sha256');
  await pipeline(createReadStream(path), digest);
  return digest.digest('hex');
}

/**
 * What makes two uploads "the same request" under one Idempotency-Key: each file's content hash and
 * name (and view, for a multiview upload), in order, and the parsed fields, under the route's
 * operation name (a procedure's would be its path). Computed from the temp files once every part
 * has arrived.
 */
export async function uploadFingerprint(
  operation: string,
  files: readonly { path: string; originalname: string; view?: string }[],
  fields: Record<string, unknown>,
): Promise<string> {
  const hashed = [];
  for (const file of files) hashed.push({ name: file.originalname, sha256: await sha256OfFile(file.path), ...(file.view ? { view: file.view } : {}) });
  return requestFingerprint(operation, { files: hashed, fields });
}
