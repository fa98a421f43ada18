import { mkdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requireRedis } from '@image2model/testing/redis';
import { startCluster, type Cluster } from '@image2model/testing/cluster';

const redisUp = await requireRedis();

describe.skipIf(!redisUp)('leftover files on a shared DATA_DIR (distributed mode)', () => {
  let cluster: Cluster | null = null;
  afterEach(async () => {
    await cluster?.stop();
    cluster = null;
  });

  it('a worker start removes temp and probe files older than 10 minutes, and leaves younger ones (another process may be writing them)', { timeout: 120_000 }, async () => {
    cluster = await startCluster({ apis: 1, workers: 0 });
    const models = join(cluster.dataDir, 'jobs', 'batch_20240101_000000_abcdef', 'models');
    await mkdir(models, { recursive: true });
    const old = [join(models, '.file_001.glb.0123456789ab.tmp'), join(cluster.dataDir, '.probe-0123456789ab')];
    const young = join(models, '.file_002.glb.0123456789ab.tmp');
    const twentyMinutesAgo = new Date(Date.now() - 20 * 60_000);
    for (const file of [...old, young]) await writeFile(file, 'partial');
    for (const file of old) await utimes(file, twentyMinutesAgo, twentyMinutesAgo);

    await cluster.addWorker();
    for (const file of old) await expect(stat(file), file).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await stat(young)).isFile()).toBe(true);
  });
});
