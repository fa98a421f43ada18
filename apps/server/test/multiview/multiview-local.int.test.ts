import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { auth, readEventStream, uploadMultiview, waitForJobStatus } from '@image2model/testing/http';
import { box, renderFourViews } from '@image2model/mesh/test-support/multiview-objects';
import { readGlbMesh } from '@image2model/mesh/test-support/read-glb-mesh';

/** Width (x), height (y) and depth (z) of a GLB's mesh, each divided by its height. */
async function proportionsOf(glb: Buffer): Promise<number[]> {
  const { positions } = await readGlbMesh(glb);
  const low = [Infinity, Infinity, Infinity];
  const high = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < positions.length; i += 3) {
    for (let axis = 0; axis < 3; axis++) {
      const value = positions[i + axis] as number;
      low[axis] = Math.min(low[axis] as number, value);
      high[axis] = Math.max(high[axis] as number, value);
    }
  }
  const size = high.map((value, axis) => value - (low[axis] as number));
  return size.map((side) => side / (size[1] as number));
}

describe('a multiview upload made by the local generator (embedded)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('turns a box seen from four sides into one model of its proportions, shows its views everywhere, and regenerates it from the same views', { timeout: 120_000 }, async () => {
    const object = box();
    const renders = await renderFourViews(object);
    const names = { front: 'box-front.png', left: 'box-left.png', back: 'box-back.png', right: 'box-right.png' };
    const views = Object.fromEntries(Object.entries(names).map(([view, name]) => [view, { name, data: renders[view as keyof typeof renders] }]));
    const res = await uploadMultiview(server.api('/upload/multiview'), { key: USER_KEY, views, fields: { face_limit: '3000' } });
    expect(res.status).toBe(200);
    const { job_id } = (await res.json()) as { job_id: string };

    const done = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY, (b) => b.status !== 'processing');
    expect(done.status).toBe('completed');
    expect(done.files).toHaveLength(1);
    expect(done.files[0]).toMatchObject({ filename: 'box-front.png', shape: 'hull', views: names });

    const model = await fetch(server.api(`/download/${job_id}/file_001/model`), { headers: auth(USER_KEY) });
    expect(model.status).toBe(200);
    const proportions = await proportionsOf(Buffer.from(await model.arrayBuffer()));
    const truth = object.size.map((side) => side / object.size[1]);
    proportions.forEach((ratio, axis) => expect(Math.abs(ratio / (truth[axis] as number) - 1), `axis ${axis}: ${ratio} vs ${truth[axis]}`).toBeLessThan(0.15));

    const { events } = await readEventStream(server.api(`/status/stream/${job_id}`), { headers: auth(USER_KEY) });
    expect(events.find((e) => e.data.type === 'completed')?.data).toMatchObject({ file_id: 'file_001', shape: 'hull', views: names });

    const zip = await fetch(server.api(`/download/${job_id}/all`), { headers: auth(USER_KEY) });
    const entries = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    const manifest = JSON.parse(strFromU8(entries['manifest.json'] ?? new Uint8Array())) as { files: Record<string, unknown>[] };
    expect(manifest.files).toEqual([expect.objectContaining({ file_id: 'file_001', name: 'box-front.png', model: 'box-front.glb', views: names })]);

    // generate-single makes it again from the same four views, at another face limit.
    const again = await fetch(server.api('/models/generate-single'), {
      method: 'POST',
      headers: { ...auth(USER_KEY), 'content-type': 'application/json' },
      body: JSON.stringify({ job_id, file_id: 'file_001', face_limit: 1000 }),
    });
    expect(again.status).toBe(200);
    const redone = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY, (b) => b.status !== 'processing' && b.files[0]?.face_limit === 1000);
    expect(redone.files[0]).toMatchObject({ status: 'completed', face_limit: 1000, shape: 'hull', views: names });
    const remade = await fetch(server.api(`/download/${job_id}/file_001/model`), { headers: auth(USER_KEY) });
    const remadeProportions = await proportionsOf(Buffer.from(await remade.arrayBuffer()));
    remadeProportions.forEach((ratio, axis) => expect(Math.abs(ratio / (truth[axis] as number) - 1)).toBeLessThan(0.15));
  });
});
