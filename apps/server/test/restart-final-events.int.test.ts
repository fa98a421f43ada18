import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '@image2model/testing/child-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, readEventStream, uploadBatch } from '@image2model/testing/http';

const KEY = 'restart-final-events-key';

/**
 * The kill -9 window of embedded mode: `finish` makes a file's completed mark durable in job.json
 * and only then appends its event. Cut exactly there, the events were lost for good.
 */
describe('a restart after a kill between a final mark and its event', () => {
  const servers: ChildServer[] = [];
  let dataDir = '';
  afterEach(async () => {
    for (const server of servers) server.child.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('announces the lost completed and done exactly once, and a second restart adds nothing', { timeout: 90_000 }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'i2m-final-events-'));
    const env = { DATA_DIR: dataDir, API_KEYS: KEY, WORKER_CONCURRENCY: '1' };
    const start = async () => {
      const server = await startChildServer(env);
      servers.push(server);
      return server;
    };
    const kill = async (server: ChildServer) => {
      server.child.kill('SIGKILL');
      await server.exited;
    };

    const first = await start();
    const photo = await makePhoto({ width: 64, height: 64 });
    const files = [1, 2].map((i) => ({ name: `photo-${i}.png`, data: photo }));
    const upload = await uploadBatch(`${first.url}/api/v1/upload/batch`, { key: KEY, files });
    expect(upload.status).toBe(200);
    const { job_id } = (await upload.json()) as { job_id: string };
    // Follow the stream to its end, not the status: the status reads job.json, which is marked
    // before the event is appended, so a kill right after a completed status could fall inside
    // the very window this test recreates by hand (and find no event to cut).
    const live = await readEventStream(`${first.url}/api/v1/status/stream/${job_id}`, { headers: auth(KEY), stopAfterMs: 60_000 });
    expect(live.closedByServer).toBe(true);
    expect(live.events.at(-1)?.data).toMatchObject({ type: 'done', status: 'completed' });
    await kill(first);

    // The state that kill leaves, made deterministically: job.json has file_002 completed (as
    // written), the event log stops before file_002's completed event.
    const logFile = join(dataDir, 'jobs', job_id, 'events.jsonl');
    const lines = (await readFile(logFile, 'utf8')).trimEnd().split('\n');
    const cut = lines.findIndex((line) => line.includes('"type":"completed"') && line.includes('"file_002"'));
    expect(cut).toBeGreaterThan(0);
    await writeFile(logFile, `${lines.slice(0, cut).join('\n')}\n`);

    const second = await start();
    const follow = async (server: ChildServer) => {
      const { events } = await readEventStream(`${server.url}/api/v1/status/stream/${job_id}`, { headers: auth(KEY), stopAfterMs: 10_000 });
      return events;
    };
    const events = await follow(second);
    for (const fileId of ['file_001', 'file_002']) {
      expect(events.filter((e) => e.data.type === 'completed' && e.data.file_id === fileId), fileId).toHaveLength(1);
    }
    expect(events.filter((e) => e.data.type === 'done')).toHaveLength(1);
    expect(events.at(-1)?.data).toMatchObject({ type: 'done', status: 'completed' });

    const repaired = await readFile(logFile, 'utf8');
    await kill(second);
    const third = await start();
    expect(await readFile(logFile, 'utf8')).toBe(repaired);
    expect((await follow(third)).map((e) => e.id)).toEqual(events.map((e) => e.id));
  });
});
