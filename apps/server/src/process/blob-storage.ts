import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { FsBlobStorage, type BlobStorage, type ModelProvider, type ModelRedirect, type PhotoUrls } from '@image2model/core';
import { contentDisposition } from '../http/file-names.js';
import { MAX_PRESIGN_SECONDS, type Env } from '../env.js';

export type StorageBackend = 'fs' | 's3';

export interface OpenedStorage {
  storage: BlobStorage;
  backend: StorageBackend;
  /** Where blobs live, for logs and messages: the data directory, or `s3://bucket/prefix` at the endpoint. */
  location: string;
}

/**
 * Where photos, models and previews live: S3_BUCKET's bucket when set (DATA_DIR then holds only
 * this process's temporary files), else DATA_DIR. A bucket is tried at once with a write, a read
 * and a delete, so a wrong name, endpoint or secret stops the start with what to fix instead of
 * failing every upload later.
 */
export async function openBlobStorage(env: Env, dataDir: string): Promise<OpenedStorage> {
  if (env.S3_BUCKET === undefined) return { storage: new FsBlobStorage({ root: dataDir }), backend: 'fs', location: dataDir };
  // The AWS SDK loads only for deployments with a bucket (cold start).
  const { createS3Client, S3BlobStorage } = await import('@image2model/core/s3');
  const client = createS3Client({ endpoint: env.S3_ENDPOINT, region: env.S3_REGION, forcePathStyle: env.S3_FORCE_PATH_STYLE });
  // Presigned URLs carry the host they were signed for: clients get the public one.
  const publicClient = env.S3_PUBLIC_ENDPOINT ? createS3Client({ endpoint: env.S3_PUBLIC_ENDPOINT, region: env.S3_REGION, forcePathStyle: env.S3_FORCE_PATH_STYLE }) : client;
  const storage = new S3BlobStorage({ client, publicClient, bucket: env.S3_BUCKET, prefix: env.S3_PREFIX, tempDir: join(dataDir, 'tmp', 'copies') });
  const location = `s3://${env.S3_BUCKET}/${env.S3_PREFIX}${env.S3_ENDPOINT ? ` at ${env.S3_ENDPOINT}` : ''}`;
  await probeBucket(storage, location);
  return { storage, backend: 's3', location };
}

async function probeBucket(storage: BlobStorage, location: string): Promise<void> {
  const key = `.image2model/start-probe-${randomBytes(6).toString('hex')}`;
  try {
    await storage.write(key, Buffer.from('probe'));
    await storage.read(key);
    await storage.deletePrefix(key);
  } catch (error) {
    throw new Error(
      [
        `The bucket ${location} does not accept a test write: ${describeS3Error(error)}.`,
        'Check S3_BUCKET (the bucket must exist), S3_ENDPOINT and S3_REGION, S3_FORCE_PATH_STYLE for an S3-compatible server,',
        'and the credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or another source of the AWS SDK’s standard chain).',
      ].join('\n'),
      { cause: error },
    );
  }
}

/** The SDK's error name and status say more than its message (often just "UnknownError"). */
function describeS3Error(error: unknown): string {
  const e = error as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const parts = [e.name && e.name !== 'Error' ? e.name : null, e.code ?? null, status ? `HTTP ${status}` : null, e.message ?? null].filter(Boolean);
  return parts.join(', ') || String(error);
}

/** How long a presigned model URL stays valid (DOWNLOAD_MODE=redirect). */
export const MODEL_REDIRECT_SECONDS = 300;

/** DOWNLOAD_MODE=redirect: model downloads answer 302 to a presigned bucket URL, named as a streamed one would be. */
export function modelRedirectOf(env: Env): ModelRedirect | undefined {
  return env.DOWNLOAD_MODE === 'redirect' ? { expiresInSeconds: MODEL_REDIRECT_SECONDS, contentDisposition } : undefined;
}

/**
 * S3_PUBLIC_READS=presigned, with FAL (the provider that reads photos by URL): FAL gets a presigned
 * URL of the stored photo, valid for twice the generation timeout. FAL downloads it when the
 * request leaves its queue, which can be as late as the end of the generation; and a worker that
 * dies hands the FAL request to another, which follows it for up to another timeout.
 */
export function photoUrlsOf(env: Env, provider: Pick<ModelProvider, 'name'>, generationTimeoutMs: number): PhotoUrls | undefined {
  if (env.S3_PUBLIC_READS !== 'presigned' || provider.name !== 'fal') return undefined;
  return { expiresInSeconds: Math.min(MAX_PRESIGN_SECONDS, Math.ceil((2 * generationTimeoutMs) / 1000)) };
}
