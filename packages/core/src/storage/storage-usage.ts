/** What the storage holds of jobs' blobs (photos, models, previews). */
export interface StorageUsage {
  objects: number;
  bytes: number;
}

/**
 * Port: the running totals of the blobs jobs own, changed as they are written and deleted (see
 * CountedBlobStorage), so reading them costs one lookup instead of a walk of the storage. Shared
 * by every process of a deployment (Redis), or kept by the one embedded process (DATA_DIR).
 */
export interface StorageUsageCounter {
  /** Adds a change (negative when blobs were deleted or shrank). */
  add(delta: StorageUsage): Promise<void>;
  read(): Promise<StorageUsage>;
  /** Writes out what is not kept yet. */
  close(): Promise<void>;
}
