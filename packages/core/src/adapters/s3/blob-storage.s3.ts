import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BlobStorage, LocalFile, PresignGetOptions, StoredBlob } from '../../storage/blob-storage.js';
import { assertSafeKey } from '../../storage/storage-key.js';
import { tempPathFor } from '../fs/atomic-file.js';

/** Uploads above this go up in parts of this size (a part is the most one upload holds in memory at a time, times the parts in flight). */
export const MULTIPART_PART_BYTES = 8 * 1024 * 1024;
/** Parts of one upload in flight at once. */
const PARTS_IN_FLIGHT = 2;
/** DeleteObjects takes at most this many keys per request. */
const DELETE_BATCH = 1000;
/** Readiness probe objects, written under the prefix and removed at once. */
const PROBE_PREFIX = '.probe-';

export interface S3BlobStorageOptions {
  client: S3Client;
  /** S3_BUCKET. */
  bucket: string;
  /** S3_PREFIX: prepended to every key, so one bucket can hold several deployments. @default '' */
  prefix?: string;
  /** Where temporary local copies go (inside the process's own DATA_DIR). */
  tempDir: string;
  /**
   * Signs presigned URLs for the address clients reach the bucket at (S3_PUBLIC_ENDPOINT), when it
   * differs from the one this process uses. @default client
   */
  publicClient?: S3Client;
}

/**
 * BlobStorage on an S3 bucket (AWS or any S3-compatible server): the distributed deployment's
 * storage, with no folder shared between processes. A PUT is durable when acknowledged, so there
 * is nothing to sync; a replaced object is replaced whole (S3 never shows a half-written one), and
 * a failed upload leaves the previous object in place.
 * @example
 * const storage = new S3BlobStorage({ client: createS3Client({ endpoint, forcePathStyle: true }), bucket: 'models', tempDir });
 */
export class S3BlobStorage implements BlobStorage {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly tempDir: string;
  private readonly publicClient: S3Client;

  constructor(opts: S3BlobStorageOptions) {
    this.client = opts.client;
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ?? '';
    this.tempDir = opts.tempDir;
    this.publicClient = opts.publicClient ?? opts.client;
  }

  /** Signed locally (no request): valid for `expiresInSeconds`, for the public address. */
  async presignGet(key: string, opts: PresignGetOptions): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: this.objectKey(key),
      ...(opts.contentDisposition ? { ResponseContentDisposition: opts.contentDisposition } : {}),
      ...(opts.contentType ? { ResponseContentType: opts.contentType } : {}),
    });
    return getSignedUrl(this.publicClient, command, { expiresIn: opts.expiresInSeconds });
  }

  /** The object key of a storage key; throws VALIDATION_ERROR for a key that could escape. */
  private objectKey(key: string): string {
    assertSafeKey(key);
    return this.prefix + key;
  }

  async write(key: string, data: Buffer | Readable): Promise<{ size: number }> {
    const Key = this.objectKey(key);
    if (Buffer.isBuffer(data)) return this.put(Key, data);
    let size = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done(null, chunk);
      },
    });
    // Streamed: one part at a time is buffered, never the whole file. A source that fails aborts
    // the upload (its parts are deleted) and the previous object stays.
    const source = data.pipe(counted);
    data.once('error', (error) => counted.destroy(error));
    const upload = new Upload({ client: this.client, params: { Bucket: this.bucket, Key, Body: source }, partSize: MULTIPART_PART_BYTES, queueSize: PARTS_IN_FLIGHT });
    await upload.done();
    return { size };
  }

  async writeUnsynced(key: string, data: Buffer): Promise<{ size: number; synced: Promise<void> }> {
    const written = await this.put(this.objectKey(key), data);
    return { ...written, synced: Promise.resolve() };
  }

  private async put(Key: string, data: Buffer): Promise<{ size: number }> {
    if (data.length > MULTIPART_PART_BYTES) {
      await new Upload({ client: this.client, params: { Bucket: this.bucket, Key, Body: data }, partSize: MULTIPART_PART_BYTES, queueSize: PARTS_IN_FLIGHT }).done();
    } else {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: data, ContentLength: data.length }));
    }
    return { size: data.length };
  }

  async moveIn(key: string, sourcePath: string): Promise<void> {
    const Key = this.objectKey(key);
    const { size } = await stat(sourcePath);
    if (size > MULTIPART_PART_BYTES) {
      await this.putFileInParts(Key, sourcePath, size);
    } else {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: createReadStream(sourcePath), ContentLength: size }));
    }
    await rm(sourcePath, { force: true });
  }

  /**
   * A multipart upload of a file on this disk, each part streamed from its byte range: nothing is
   * buffered (lib-storage's Upload holds every part in flight in memory, up to 16 MiB per upload,
   * which a batch of 25 photos moved in at once would multiply). A failure aborts the upload, so
   * no part is left behind and the previous object stays.
   */
  private async putFileInParts(Key: string, sourcePath: string, size: number): Promise<void> {
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key }));
    if (!UploadId) throw new Error(`The bucket started no multipart upload for ${Key}`);
    try {
      const parts: { ETag: string; PartNumber: number }[] = [];
      for (let start = 0, PartNumber = 1; start < size; start += MULTIPART_PART_BYTES, PartNumber += 1) {
        const end = Math.min(size, start + MULTIPART_PART_BYTES);
        const Body = createReadStream(sourcePath, { start, end: end - 1 });
        const { ETag } = await this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key, UploadId, PartNumber, Body, ContentLength: end - start }));
        if (!ETag) throw new Error(`The bucket returned no ETag for part ${PartNumber} of ${Key}`);
        parts.push({ ETag, PartNumber });
      }
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (error) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId })).catch(() => undefined);
      throw error;
    }
  }

  async read(key: string): Promise<Buffer> {
    const answer = await this.get(this.objectKey(key), key);
    return Buffer.from(await answer.transformToByteArray());
  }

  async stat(key: string): Promise<{ size: number } | null> {
    const Key = this.objectKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return { size: head.ContentLength ?? 0 };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  createReadStream(key: string): Readable {
    const Key = this.objectKey(key);
    const out = new PassThrough();
    this.get(Key, key).then(
      (body) => {
        const source = body as unknown as Readable;
        source.once('error', (error) => out.destroy(error));
        // The reader going away stops the download too.
        out.once('close', () => source.destroy());
        source.pipe(out);
      },
      (error: unknown) => out.destroy(error as Error),
    );
    return out;
  }

  private async get(Key: string, key: string) {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      if (!answer.Body) throw notFound(key);
      return answer.Body;
    } catch (error) {
      throw isMissing(error) ? notFound(key) : error;
    }
  }

  /** Deletes the object `prefix` itself, or every object under `prefix/`; reports what it freed. */
  async deletePrefix(prefix: string): Promise<{ files: number; bytes: number }> {
    const Key = this.objectKey(prefix.replace(/\/+$/, ''));
    const found: { Key: string; size: number }[] = [];
    const itself = await this.stat(prefix.replace(/\/+$/, ''));
    if (itself) found.push({ Key, size: itself.size });
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${Key}/`, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key) found.push({ Key: object.Key, size: object.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    for (let i = 0; i < found.length; i += DELETE_BATCH) {
      const batch = found.slice(i, i + DELETE_BATCH);
      const answer = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((o) => ({ Key: o.Key })), Quiet: true } }));
      const failed = answer.Errors ?? [];
      if (failed.length > 0) throw new Error(`Deleting ${failed.length} object(s) under ${prefix} failed: ${failed[0]?.Code ?? ''} ${failed[0]?.Message ?? ''}`.trim());
    }
    return { files: found.length, bytes: found.reduce((sum, o) => sum + o.size, 0) };
  }

  /** Every object under `prefix/`, a page (up to 1,000 objects) per request. */
  async *list(prefix: string): AsyncIterable<StoredBlob> {
    const Prefix = `${this.objectKey(prefix.replace(/\/+$/, ''))}/`;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key) yield { key: object.Key.slice(this.prefix.length), size: object.Size ?? 0 };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async checkWritable(): Promise<boolean> {
    const key = `${PROBE_PREFIX}${randomBytes(6).toString('hex')}`;
    const probe = randomBytes(16);
    try {
      await this.write(key, probe);
      return (await this.read(key)).equals(probe);
    } catch {
      return false;
    } finally {
      await this.deletePrefix(key).catch(() => undefined);
    }
  }

  /** A private temporary copy, removed by `release`. */
  async localFile(key: string): Promise<LocalFile> {
    const body = await this.get(this.objectKey(key), key);
    await mkdir(this.tempDir, { recursive: true });
    // Named like an interrupted write's temp file, so the start-up sweep removes one a killed process left.
    const copy = tempPathFor(path.join(this.tempDir, path.basename(key)));
    try {
      await pipeline(body as unknown as Readable, createWriteStream(copy, { mode: 0o600 }));
    } catch (error) {
      await rm(copy, { force: true });
      throw error;
    }
    return { path: copy, release: () => rm(copy, { force: true }) };
  }
}

/** HeadObject answers a bare 404 (`NotFound`), GetObject `NoSuchKey`. */
function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

/** What the file-system adapter's readers reject with, so callers handle both alike. */
function notFound(key: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`No stored object for ${key}`), { code: 'ENOENT' });
}
