import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFalEmulator, type FalEmulator } from '@image2model/fal-emulator';
import { startChildServer, type ChildServer } from '@image2model/testing/child-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitFor, waitForJobStatus, type JobStatusBody } from '@image2model/testing/http';

const KEY = 'fal-restart-test-key';

describe('a FAL generation survives a crash of the server', () => {
  const servers: ChildServer[] = [];
  let fal: FalEmulator | null = null;
  let dataDir = '';
  afterEach(async () => {
    for (const server of servers) server.child.kill('SIGKILL');
    await fal?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('resumes the stored request ids after SIGKILL between submit and completion, and pays each file once', { timeout: 120_000 }, async () => {
    // Long enough that FAL is still working when the first server dies.
    fal = await startFalEmulator({ queueMs: 300, processingMs: 5000 });
    dataDir = await mkdtemp(join(tmpdir(), 'i2m-fal-restart-'));
    const env = { DATA_DIR: dataDir, API_KEYS: KEY, FAL_KEY: 'fal-test-key', FAL_BASE_URL: fal.url, RATE_LIMIT_PER_MINUTE: '100000', RATE_LIMIT_PER_HOUR: '100000' };
    const first = await startChildServer(env);
    servers.push(first);
    const files = [
      { name: 'red.png', data: await makePhoto() },
      { name: 'blue.jpg', data: await makePhoto({ format: 'jpeg', colour: '#2a7bd0' }) },
    ];
    const upload = await uploadBatch(`${first.url}/api/v1/upload/batch`, { key: KEY, files, fields: { face_limit: '3000' } });
    expect(upload.status).toBe(200);
    const { job_id } = (await upload.json()) as { job_id: string };

    // The moment both request ids are stored on disk (FAL accepted both submits), the process dies.
    const submitted = await waitForJobStatus(`${first.url}/api/v1/status/${job_id}`, KEY, (b) => b.files.every((f) => f.model_task_id !== null));
    const ids = submitted.files.map((f) => f.model_task_id);
    await waitFor(
      async () => {
        const stored = await readFile(join(dataDir, 'jobs', job_id, 'job.json'), 'utf8').catch(() => '');
        return ids.every((id) => id !== null && stored.includes(id)) ? true : undefined;
      },
      { what: 'the request ids in job.json' },
    );
    first.child.kill('SIGKILL');
    await first.exited;
    expect(submitted.files.map((f) => f.status)).toEqual(['processing', 'processing']);
    expect(fal.acceptedSubmits().map((s) => s.request_id).sort()).toEqual([...ids].sort());
    expect(fal.requests.some((r) => r.method === 'GET' && /\/requests\/[^/]+$/.test(r.path))).toBe(false); // no result fetched yet

    const second = await startChildServer(env);
    servers.push(second);
    expect(second.output.join('\n')).toMatch(/"resumed":2/);
    const done = await waitFor(
      async () => {
        const res = await fetch(`${second.url}/api/v1/status/${job_id}`, { headers: auth(KEY) });
        const body = (await res.json()) as JobStatusBody;
        return body.status === 'processing' ? undefined : body;
      },
      { timeoutMs: 60_000, what: 'the resumed job' },
    );
    expect(done.status).toBe('completed');
    expect(done.files.map((f) => f.model_task_id)).toEqual(ids); // the same FAL requests, followed to the end
    expect(fal.acceptedSubmits()).toHaveLength(2); // nothing was submitted again
    expect(fal.submits).toHaveLength(2);
    for (const file of done.files) {
      const model = await fetch(`${second.url}/api/v1/download/${job_id}/${file.file_id}/model`, { headers: auth(KEY) });
      expect(model.status).toBe(200);
      const expected = await fal.modelOf(file.model_task_id ?? '');
      expect(expected && Buffer.from(await model.arrayBuffer()).equals(expected)).toBe(true);
    }
    expect(fal.acceptedSubmits().map((s) => s.input.face_limit)).toEqual([3000, 3000]);
  });
});
