/**
 * Object storage (S3 and S3-compatible servers) as its own entry point: `@image2model/core/s3`,
 * so a deployment on a local disk never loads the AWS SDK. Either mode can use it.
 */
export { S3BlobStorage, MULTIPART_PART_BYTES, type S3BlobStorageOptions } from './adapters/s3/blob-storage.s3.js';
export { createS3Client, type S3ClientOptions } from './adapters/s3/s3-client.js';
