// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- the declaration must reach every project that compiles this file through an import, not only this package
/// <reference path="./s3rver.d.ts" />
/**
 * A real S3-compatible server for tests, offline: @20minutes/s3rver on loopback, with a bucket. It
 * checks SigV4 signatures (a wrong secret is refused with 403), so a test that passes against it
 * signed its requests right. Its one account's keys are `S3RVER` / `S3RVER`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';

export interface S3TestServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** What a process needs to use the bucket: S3_* settings and the SDK's credential variables. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts a server on a free port with an empty bucket; `close` stops it and deletes its files. */
export async function startS3Server(opts: { bucket?: string } = {}): Promise<S3TestServer> {
  const bucket = opts.bucket ?? 'image2model-test';
  const directory = await mkdtemp(join(tmpdir(), 'i2m-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, vhostBuckets: false, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const region = 'us-east-1';
  const accessKeyId = 'S3RVER';
  const secretAccessKey = 'S3RVER';
  return {
    endpoint,
    bucket,
    region,
    accessKeyId,
    secretAccessKey,
    env: {
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_REGION: region,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
