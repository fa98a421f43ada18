import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '@image2model/testing/child-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, readEventStream, uploadBatch, waitForJobStatus, type JobStatusBody } from '@image2model/testing/http';

const KEY = 'restart-test-key';

describe('a restart loses nothing', () => {
  const servers: ChildServer[] = [];
  let dataDir = '';
  afterEach(async () => {
    for (const server of servers) server.child.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('resumes queued work after SIGKILL and finishes every file exactly once', { timeout: 120_000 }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'i2m-restart-'));
    const env = { DATA_DIR: dataDir, API_KEYS: KEY, WORKER_CONCURRENCY: '1', RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_PER_HOUR: '100000' };
    const first = await startChildServer(env);
    servers.push(first);
    const photo = await makePhoto({ width: 1024, height: 1024, format: 'jpeg' });
    const files = Array.from({ length: 6 }, (_, i) => ({ name: `photo-${i + 1}.jpg`, data: photo }));
    const upload = await uploadBatch(`${first.url}/api/v1/upload/batch`, { key: KEY, files });
    expect(upload.status).toBe(200);
    const { job_id } = (await upload.json()) as { job_id: string };

    // One worker, six 1024² photos: at this instant at least one file is provably still queued.
    const before = (await (await fetch(`${first.url}/api/v1/status/${job_id}`, { headers: auth(KEY) })).json()) as JobStatusBody;
    expect(before.files.some((f) => f.status === 'pending')).toBe(true);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startChildServer(env);
    servers.push(second);
    expect(second.output.join('\n')).toMatch(/"resumed":[1-9]/);
    const done = await waitForJobStatus(`${second.url}/api/v1/status/${job_id}`, KEY);
    expect(done.status).toBe('completed');
    expect(done.files.map((f) => f.status)).toEqual(Array(6).fill('completed'));

    const { events } = await readEventStream(`${second.url}/api/v1/status/stream/${job_id}`, { headers: auth(KEY) });
    for (const file of done.files) {
      expect(events.filter((e) => e.data.type === 'completed' && e.data.file_id === file.file_id), file.file_id).toHaveLength(1);
    }
    expect(events.filter((e) => e.data.type === 'done')).toHaveLength(1);
    const ids = events.map((e) => Number(e.id));
    expect(new Set(ids).size).toBe(ids.length);
    const model = await fetch(`${second.url}/api/v1/download/${job_id}/file_006/model`, { headers: auth(KEY) });
    expect(model.status).toBe(200);
    expect(Buffer.from(await model.arrayBuffer()).subarray(0, 4).toString()).toBe('glTF');
  });
});
