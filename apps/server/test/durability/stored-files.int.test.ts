import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { uploadBatch, waitForJobStatus } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';

describe('files in the data directory', () => {
  let server: TestServer | null = null;
  let dataDir: string | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    dataDir = null;
  });

  it('stores an uploaded photo with mode 0600, like its model', async () => {
    server = await startTestServer();
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'photo.jpg', data: await makePhoto({ format: 'jpeg' }) }] });
    expect(res.status).toBe(200);
    const { job_id: jobId } = (await res.json()) as { job_id: string };
    await waitForJobStatus(server.api(`/status/${jobId}`), USER_KEY);
    const jobDir = join(server.dataDir, 'jobs', jobId);
    expect((await stat(join(jobDir, 'uploads', 'file_001.jpg'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(jobDir, 'models', 'file_001.glb'))).mode & 0o777).toBe(0o600);
  });

  it('a start removes the temp and probe files a stopped process left in every data folder, and nothing else', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'i2m-leftovers-'));
    server = await startTestServer({ dataDir });
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'photo.png', data: await makePhoto() }] });
    const { job_id: jobId } = (await res.json()) as { job_id: string };
    await waitForJobStatus(server.api(`/status/${jobId}`), USER_KEY);
    await server.stop();
    server = null;

    // What a kill -9 in the middle of each kind of write (and of a readiness probe) leaves.
    const jobDir = join(dataDir, 'jobs', jobId);
    const leftovers = [
      join(dataDir, '.probe-0123456789ab'),
      join(dataDir, '..probe-0123456789ab.0123456789ab.tmp'),
      join(jobDir, '.job.json.0123456789ab.tmp'),
      join(jobDir, 'uploads', '.file_002.png.0123456789ab.tmp'),
      join(jobDir, 'models', '.file_001.glb.0123456789ab.tmp'),
      join(jobDir, 'previews', '.file_001.png.0123456789ab.tmp'),
    ];
    // Names that only look alike are not ours to remove.
    const kept = [join(dataDir, 'notes.tmp'), join(jobDir, 'models', '.hidden'), join(dataDir, '.probe-not-hex')];
    for (const file of [...leftovers, ...kept]) {
      await mkdir(join(file, '..'), { recursive: true });
      await writeFile(file, 'partial');
    }

    server = await startTestServer({ dataDir });
    for (const file of leftovers) await expect(stat(file), file).rejects.toMatchObject({ code: 'ENOENT' });
    for (const file of kept) expect((await stat(file)).isFile(), file).toBe(true);
    expect((await readdir(join(jobDir, 'models'))).sort()).toEqual(['.hidden', 'file_001.glb']);
    expect(await readdir(join(jobDir, 'uploads'))).toEqual(['file_001.png']);
    const model = await fetch(server.api(`/download/${jobId}/file_001/model`), { headers: { Authorization: `Bearer ${USER_KEY}` } });
    expect(model.status).toBe(200);
  });
});
