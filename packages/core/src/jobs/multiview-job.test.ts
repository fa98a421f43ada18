import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '../testing/fake-model-provider.js';
import { createServiceHarness, eventsUntilDone, OWNER } from '../testing/service-harness.js';
import type { Access } from './job-service.js';

type Harness = Awaited<ReturnType<typeof createServiceHarness>>;
const owner: Access = { owner: OWNER, session_id: null };

describe('a multiview file', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createServiceHarness();
  });
  afterEach(async () => {
    await h.cleanup();
  });

  async function temp(name: string): Promise<string> {
    const file = path.join(h.uploadTempDir, name);
    await writeFile(file, `bytes of ${name}`);
    return file;
  }

  it('is one file whose views are stored under the job, generated together, announced, regenerated from the same views and deleted with the job', async () => {
    const provider = new FakeModelProvider({ shape: 'hull' });
    const { service, storage, events } = await h.start({ provider, maxActiveFilesPerOwner: 1 });
    const views = {
      front: { filename: 'a.jpg', temp_path: await temp('t1'), format: 'jpg' as const },
      left: { filename: 'b.png', temp_path: await temp('t2'), format: 'png' as const },
      right: { filename: 'c.jpg', temp_path: await temp('t3'), format: 'jpg' as const },
    };
    // One multiview file counts one against the active-files limit (here 1).
    const { job, files } = await service.createJob({ owner: OWNER, face_limit: 2000, images: [{ views }] });
    const id = job.job_id;
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({
      file_id: 'file_001',
      filename: 'a.jpg',
      image_key: `jobs/${id}/uploads/file_001.front.jpg`,
      views: {
        front: { filename: 'a.jpg', key: `jobs/${id}/uploads/file_001.front.jpg` },
        left: { filename: 'b.png', key: `jobs/${id}/uploads/file_001.left.png` },
        right: { filename: 'c.jpg', key: `jobs/${id}/uploads/file_001.right.jpg` },
      },
    });
    expect(await readdir(h.uploadTempDir)).toEqual([]);

    const first = await eventsUntilDone(events, id);
    expect(provider.calls[0]?.views).toEqual({ front: Buffer.from('bytes of t1'), left: Buffer.from('bytes of t2'), right: Buffer.from('bytes of t3') });
    expect(provider.calls[0]?.image).toEqual(Buffer.from('bytes of t1'));
    expect(first.find((event) => event.type === 'completed')).toMatchObject({ views: { front: 'a.jpg', left: 'b.png', right: 'c.jpg' }, shape: 'hull' });

    await service.generateSingle({ job_id: id, file_id: 'file_001', face_limit: 500 }, owner);
    await eventsUntilDone(events, id, first.at(-1)?.id ?? null);
    expect(provider.calls[1]).toMatchObject({ face_limit: 500, views: provider.calls[0]?.views });
    expect((await service.getJob(id, owner)).files[0]?.views).toEqual(files[0]?.views);

    await service.cleanup(0);
    expect(await storage.stat(`jobs/${id}/uploads/file_001.left.png`)).toBeNull();
  });
});
