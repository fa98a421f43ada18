// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- s3rver ships no types; the tests' declaration is the one
/// <reference path="../../packages/testing/src/s3rver.d.ts" />
/**
 * An S3-compatible server (@20minutes/s3rver, which checks SigV4 signatures) in its own process,
 * so its CPU is not the runner's: the bucket of the S3 storage case. Keys S3RVER / S3RVER.
 */
import S3rver from '@20minutes/s3rver';
import { serveCommands } from '../lib/ipc.js';

const directory = process.env.BENCH_S3_DIR;
if (!directory) throw new Error('BENCH_S3_DIR is required');
const bucket = 'image2model-bench';
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, vhostBuckets: false, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();

serveCommands({ close: () => server.close() }, { endpoint: `http://127.0.0.1:${port}`, bucket, pid: process.pid });

process.on('SIGTERM', () => {
  void server.close().finally(() => process.exit(0));
});
