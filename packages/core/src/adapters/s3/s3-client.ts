import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

export interface S3ClientOptions {
  /** S3_ENDPOINT: an S3-compatible server's address; unset for AWS itself. */
  endpoint?: string | undefined;
  /** S3_REGION. @default 'us-east-1' */
  region?: string | undefined;
  /** S3_FORCE_PATH_STYLE: `endpoint/bucket/key` addressing, which most S3-compatible servers need. */
  forcePathStyle?: boolean | undefined;
  /** Tests only: otherwise the AWS SDK's standard chain (AWS_ACCESS_KEY_ID, profiles, roles, …). */
  credentials?: S3ClientConfig['credentials'];
}

/**
 * An S3 client for AWS and for S3-compatible servers. Checksums only where an operation requires
 * one: the SDK's default (a CRC on every request, aws-chunked uploads) is not understood by every
 * S3-compatible server, and costs nothing to leave off on AWS.
 */
export function createS3Client(opts: S3ClientOptions): S3Client {
  const client = new S3Client({
    region: opts.region ?? 'us-east-1',
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    forcePathStyle: opts.forcePathStyle ?? false,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  // A bucket-level request's path is `/bucket/`; some servers (s3rver, which the tests run)
  // canonicalise it as `/bucket` when they check the signature, and AWS takes either, so it is
  // signed and sent without the slash.
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { path?: string };
      if (request.path && /^\/[^/]+\/$/.test(request.path)) request.path = request.path.slice(0, -1);
      return next(args);
    },
    { step: 'build', name: 'bucketPathWithoutTrailingSlash' },
  );
  return client;
}
