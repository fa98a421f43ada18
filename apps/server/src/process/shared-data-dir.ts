import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';

const MARKER_DIR = '.image2model';

/**
 * Distributed mode needs one DATA_DIR shared by every process: API processes store uploads that
 * workers read, and workers store models that API processes serve. The first process to start
 * writes a marker file with a random id into DATA_DIR and records the id in Redis; every other
 * process must find that very file in its own DATA_DIR, or it refuses to start with a message
 * saying what is wrong (instead of failing every file later with "not found").
 */
export async function verifySharedDataDir(opts: { dataDir: string; redis: Redis; prefix: string; role: string }): Promise<{ id: string; created: boolean }> {
  const key = `${opts.prefix}data_dir_marker`;
  const dir = join(opts.dataDir, MARKER_DIR);
  let id = await opts.redis.get(key);
  let created = false;
  if (id === null) {
    // File first, then the claim: whoever wins the SET NX has its file on the volume already.
    const candidate = randomUUID();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `volume-${candidate}`), candidate);
    if ((await opts.redis.set(key, candidate, 'NX')) === 'OK') {
      id = candidate;
      created = true;
    } else {
      await rm(join(dir, `volume-${candidate}`), { force: true });
      id = await opts.redis.get(key);
    }
  }
  if (id === null) throw new Error(`Could not read ${key} from Redis`);
  const file = join(dir, `volume-${id}`);
  const content = await readFile(file, 'utf8').catch(() => null);
  if (content?.trim() !== id) {
    throw new Error(
      [
        `DATA_DIR (${opts.dataDir}) is not the volume the other Image2Model processes use.`,
        `This ${opts.role} process cannot read ${file}, which the first process of this deployment wrote there.`,
        'Every API and worker process must mount the SAME shared DATA_DIR (a network or shared volume),',
        'because workers read the uploads API processes store, and API processes serve the models workers store.',
        `If you replaced the volume on purpose, delete the Redis key ${key} and start again.`,
      ].join('\n'),
    );
  }
  return { id, created };
}
