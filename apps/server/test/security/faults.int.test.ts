import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SHUTDOWN_HARD_LIMIT_EXTRA_MS } from '../../src/process/shutdown.js';
import { startChildServer, type ChildServer } from '@image2model/testing/child-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, readEventStream, uploadBatch, waitFor, waitForJobStatus, type JobStatusBody } from '@image2model/testing/http';

const KEY = 'faults-test-key';
const GRACE_MS = 2_000;

describe('faults: SIGTERM in the middle of a batch', () => {
  const servers: ChildServer[] = [];
  let dataDir = '';
  afterEach(async () => {
    for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('exits 0 within the documented deadline; after a restart every file completes exactly once', { timeout: 180_000 }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'i2m-faults-'));
    const env = {
      DATA_DIR: dataDir,
      API_KEYS: KEY,
      WORKER_CONCURRENCY: '1',
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      RATE_LIMIT_PER_MINUTE: '100000',
      RATE_LIMIT_PER_HOUR: '100000',
    };
    const first = await startChildServer(env);
    servers.push(first);
    const photo = await makePhoto({ width: 1024, height: 1024, format: 'jpeg' });
    const files = Array.from({ length: 5 }, (_, i) => ({ name: `photo-${i + 1}.jpg`, data: photo }));
    const upload = await uploadBatch(`${first.url}/api/v1/upload/batch`, { key: KEY, files });
    expect(upload.status).toBe(200);
    const { job_id } = (await upload.json()) as { job_id: string };
    const statusUrl = (server: ChildServer) => `${server.url}/api/v1/status/${job_id}`;

    // One worker, five 1024² photos: while one runs, others are provably still queued.
    const mid = await waitFor(
      async () => {
        const body = (await (await fetch(statusUrl(first), { headers: auth(KEY) })).json()) as JobStatusBody;
        return body.files.some((f) => f.status === 'processing') || body.status !== 'processing' ? body : undefined;
      },
      { timeoutMs: 60_000, what: 'a file to start processing' },
    );
    expect(mid.files.some((f) => f.status === 'pending')).toBe(true);

    const sentAt = Date.now();
    first.child.kill('SIGTERM');
    const code = await first.exited;
    const tookMs = Date.now() - sentAt;
    // Code 0 means it stopped on its own, before the hard limit (which exits 1).
    expect(code, first.output.join('\n').slice(-2000)).toBe(0);
    // Generous wall-clock bound for a loaded machine: the deadline plus slack for process start-up.
    expect(tookMs).toBeLessThan(GRACE_MS + SHUTDOWN_HARD_LIMIT_EXTRA_MS + 15_000);
    expect(first.output.join('\n')).toContain('SIGTERM');

    const second = await startChildServer(env);
    servers.push(second);
    const done = await waitForJobStatus(statusUrl(second), KEY);
    expect(done.status).toBe('completed');
    expect(done.files.map((f) => f.status)).toEqual(Array(5).fill('completed'));

    const { events } = await readEventStream(`${second.url}/api/v1/status/stream/${job_id}`, { headers: auth(KEY), stopAfterMs: 60_000 });
    for (const file of done.files) {
      expect(events.filter((e) => e.data.type === 'completed' && e.data.file_id === file.file_id), file.file_id).toHaveLength(1);
    }
    expect(events.filter((e) => e.data.type === 'done')).toHaveLength(1);
    const ids = events.map((e) => Number(e.id));
    expect(new Set(ids).size).toBe(ids.length);

    // Nothing is left in the upload temp folder.
    expect(await readdir(join(dataDir, 'tmp', 'uploads')).catch(() => [])).toEqual([]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
