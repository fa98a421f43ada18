import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createJobId, createSessionId, FsBlobStorage, FsJobEvents, FsJobStore, type JobFileRecord, type JobRecord } from '@image2model/core';
import { startChildServer, type ChildServer } from '@image2model/testing/child-server';
import { auth, waitFor } from '@image2model/testing/http';

const KEY = 'retention-kill9-key-0001';
const OWNER = createHash('sha256').update(KEY).digest('hex');
const EXPIRED_JOBS = 300;

/** A finished job with three stored files (photo, model, preview), last changed at `at`. */
async function seedJob(store: FsJobStore, storage: FsBlobStorage, at: Date, id: string): Promise<void> {
  const timestamp = at.toISOString();
  const job: JobRecord = { job_id: id, session_id: createSessionId(), owner: OWNER, face_limit: null, created_at: timestamp, updated_at: timestamp };
  const file: JobFileRecord = {
    file_id: 'file_001',
    filename: 'chair.png',
    status: 'completed',
    progress: 100,
    model_task_id: 'task_seeded',
    face_limit: null,
    error: null,
    image_key: `jobs/${id}/uploads/file_001.png`,
    model_key: `jobs/${id}/models/file_001.glb`,
    preview_key: `jobs/${id}/previews/file_001.png`,
    remote_model_url: null,
    generation: 1,
    warnings: [],
    shape: null,
    created_at: timestamp,
    updated_at: timestamp,
  };
  for (const key of [file.image_key, file.model_key, file.preview_key]) if (key) await storage.write(key, randomBytes(64 * 1024));
  await store.create(job, [file]);
}

/**
 * kill -9 while the retention sweep deletes: after a restart, every expired job is gone with all
 * its files (none left without a record naming them), and the job within its retention is whole.
 */
describe('a kill -9 during a retention sweep', () => {
  const dirs: string[] = [];
  const servers: ChildServer[] = [];
  afterAll(async () => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('loses nothing that should stay and leaves nothing that should go', { timeout: 120_000 }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'i2m-retention-kill9-'));
    dirs.push(dataDir);
    const events = new FsJobEvents({ root: dataDir });
    const store = await FsJobStore.open({ root: dataDir, events });
    const storage = new FsBlobStorage({ root: dataDir });
    const old = new Date(Date.now() - 3 * 86_400_000);
    const expired = new Set<string>();
    while (expired.size < EXPIRED_JOBS) expired.add(createJobId(old));
    for (const id of expired) await seedJob(store, storage, old, id);
    const kept = createJobId(new Date());
    await seedJob(store, storage, new Date(), kept);
    await store.close();

    const env = { DATA_DIR: dataDir, API_KEYS: KEY, RETENTION_HOURS: '24', RETENTION_SWEEP_SECONDS: '1', LOG_LEVEL: 'info' };
    const first = await startChildServer(env);
    servers.push(first);
    // Killed the moment the first job is reported deleted: the sweep is then on the next one.
    const killed = new Promise<void>((resolve) => {
      const watch = (chunk: Buffer) => {
        if (!chunk.toString().includes('Cleaned up job')) return;
        first.child.kill('SIGKILL');
        first.child.stdout?.off('data', watch);
        resolve();
      };
      first.child.stdout?.on('data', watch);
      if (first.output.join('').includes('Cleaned up job')) watch(Buffer.from('Cleaned up job'));
    });
    await Promise.race([killed, new Promise((_, reject) => setTimeout(() => reject(new Error('the sweep did not start within 20 s')), 20_000).unref())]);
    await first.exited;
    const left = (await readdir(join(dataDir, 'jobs'))).filter((id) => expired.has(id));
    expect(left.length).toBeGreaterThan(0); // the kill landed mid-sweep

    const second = await startChildServer(env);
    servers.push(second);
    await waitFor(async () => ((await readdir(join(dataDir, 'jobs'))).length === 1 ? true : undefined), { what: 'every expired job to go', timeoutMs: 30_000 });
    expect(await readdir(join(dataDir, 'jobs'))).toEqual([kept]);
    expect((await readdir(join(dataDir, 'jobs', kept), { recursive: true })).sort()).toEqual(
      expect.arrayContaining(['job.json', 'models/file_001.glb', 'previews/file_001.png', 'uploads/file_001.png']),
    );
    const status = await fetch(`${second.url}/api/v1/status/${kept}`, { headers: auth(KEY) });
    expect(status.status).toBe(200);
    expect(((await status.json()) as { expires_at: string }).expires_at).not.toBeNull();
    const model = await fetch(`${second.url}/api/v1/download/${kept}/file_001/model`, { headers: auth(KEY) });
    expect(model.status).toBe(200);
    expect((await model.arrayBuffer()).byteLength).toBe(64 * 1024);
    for (const id of [...expired].slice(0, 5)) expect((await fetch(`${second.url}/api/v1/status/${id}`, { headers: auth(KEY) })).status).toBe(404);
  });
});
