import type { Readable } from 'node:stream';

/** Port: bytes by key (`jobs/<job_id>/…`). Keys are produced by us, never by clients. */
export interface BlobStorage {
  write(key: string, data: Buffer | Readable): Promise<{ size: number }>;
  /**
   * Replaces `key` with `data` at once (readable when this resolves), but syncs it to stable
   * storage afterwards: `synced` settles when it is durable. For callers that overlap that wait
   * with other work and promise nothing about the content before `synced` (a crash before it may
   * leave the key empty or torn).
   */
  writeUnsynced(key: string, data: Buffer, opts?: WriteOptions): Promise<{ size: number; synced: Promise<void> }>;
  /** Moves a file that is already on this disk (an upload's temp file) under `key`. */
  moveIn(key: string, sourcePath: string, opts?: WriteOptions): Promise<void>;
  read(key: string): Promise<Buffer>;
  /**
   * The key's bytes as a file on this machine, for readers that take a path (the providers): the
   * file itself on disk storage, a temporary copy from a bucket. Call `release` once the reader is
   * done with it: it removes a copy.
   */
  localFile(key: string): Promise<LocalFile>;
  /** Null when the key does not exist. */
  stat(key: string): Promise<{ size: number } | null>;
  createReadStream(key: string): Readable;
  /** Deletes every key under the prefix; reports what it freed. */
  deletePrefix(prefix: string): Promise<{ files: number; bytes: number }>;
  /**
   * Every blob under `prefix/`, with its size, in no particular order: one listing (a directory
   * walk, or paged object listings), for the storage counts' reconciliation at start.
   */
  list(prefix: string): AsyncIterable<StoredBlob>;
  /** Writes, reads back and deletes a probe: the readiness check. */
  checkWritable(): Promise<boolean>;
  /**
   * A URL anyone holding it can GET the key from until it expires, when the storage can sign one
   * (a bucket can; a data directory cannot, so it leaves this out).
   */
  presignGet?(key: string, opts: PresignGetOptions): Promise<string>;
}

export interface WriteOptions {
  /**
   * The caller knows nothing is stored under the key yet (a new job's photo, a file's first
   * generation): storage that counts its blobs adds one without looking for a blob it replaces.
   */
  fresh?: boolean;
}

/** A blob found by `list`. */
export interface StoredBlob {
  key: string;
  size: number;
}

/** A stored blob as a path on this machine, until released. */
export interface LocalFile {
  path: string;
  release(): Promise<void>;
}

export interface PresignGetOptions {
  expiresInSeconds: number;
  /** The signed Content-Disposition of the answer (the name the download is saved under). */
  contentDisposition?: string;
  /** The signed Content-Type of the answer. */
  contentType?: string;
}
