import type { BlobStorage } from '../storage/blob-storage.js';
import { derivativePrefix, storageKeys } from './storage-keys.js';

/**
 * Deletes the stored conversions and print reports of a file's generations before `generation`
 * (storageKeys.conversion/printReport): they describe a model the new one replaced, and would
 * otherwise pile up with every regeneration. One listing of the job's models folder, then the
 * storage's one deletion path per blob, so counted storage takes them off the counts.
 */
export async function deleteOlderDerivatives(storage: BlobStorage, jobId: string, fileId: string, generation: number): Promise<number> {
  const prefix = derivativePrefix(jobId, fileId);
  const older: string[] = [];
  for await (const blob of storage.list(storageKeys.models(jobId))) {
    // `<file>.g<generation>.<ext>`: parseInt stops at the extension's dot; the model itself (`<file>.glb`) reads as NaN and stays.
    if (blob.key.startsWith(prefix) && Number.parseInt(blob.key.slice(prefix.length), 10) < generation) older.push(blob.key);
  }
  for (const key of older) await storage.deletePrefix(key);
  return older.length;
}
