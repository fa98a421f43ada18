import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { BlobStorage } from '@image2model/core';
import type { OpenedStorage } from './blob-storage.js';

const MARKER_PREFIX = '.image2model/volume-';

/**
 * Distributed mode needs every process to see the same storage: API processes store uploads that
 * workers read, and workers store models that API processes serve. The first process to start
 * writes a marker with a random id into the storage (the shared DATA_DIR, or the bucket) and
 * records the id in Redis; every other process must find that very marker, or it refuses to start
 * with a message saying what is wrong (instead of failing every file later with "not found").
 */
export async function verifySharedStorage(opts: { opened: OpenedStorage; redis: Redis; prefix: string; role: string }): Promise<{ id: string; created: boolean }> {
  const { storage } = opts.opened;
  const key = `${opts.prefix}data_dir_marker`;
  let id = await opts.redis.get(key);
  let created = false;
  if (id === null) {
    // Marker first, then the claim: whoever wins the SET NX has its marker in the storage already.
    const candidate = randomUUID();
    await storage.write(`${MARKER_PREFIX}${candidate}`, Buffer.from(candidate));
    if ((await opts.redis.set(key, candidate, 'NX')) === 'OK') {
      id = candidate;
      created = true;
    } else {
      await storage.deletePrefix(`${MARKER_PREFIX}${candidate}`);
      id = await opts.redis.get(key);
    }
  }
  if (id === null) throw new Error(`Could not read ${key} from Redis`);
  if ((await readMarker(storage, `${MARKER_PREFIX}${id}`)) !== id) throw new Error(notSharedMessage(opts, `${MARKER_PREFIX}${id}`, key));
  return { id, created };
}

async function readMarker(storage: BlobStorage, marker: string): Promise<string | null> {
  try {
    return (await storage.read(marker)).toString('utf8').trim();
  } catch {
    return null;
  }
}

function notSharedMessage(opts: { opened: OpenedStorage; role: string }, marker: string, redisKey: string): string {
  const { backend, location } = opts.opened;
  return [
    backend === 's3' ? `The bucket ${location} is not the bucket the other Image2Model processes use.` : `DATA_DIR (${location}) is not the volume the other Image2Model processes use.`,
    `This ${opts.role} process cannot read ${marker}, which the first process of this deployment wrote there.`,
    backend === 's3'
      ? 'Every API and worker process must use the SAME S3_BUCKET, S3_PREFIX and S3_ENDPOINT,'
      : 'Every API and worker process must mount the SAME shared DATA_DIR (a network or shared volume), or use one S3 bucket (S3_BUCKET),',
    'because workers read the uploads API processes store, and API processes serve the models workers store.',
    `If you replaced the storage on purpose, delete the Redis key ${redisKey} and start again.`,
  ].join('\n');
}
