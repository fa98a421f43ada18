import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePhoto } from '@image2model/testing/images';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { createImage2ModelClient } from '../index.js';
import { runCli } from '../test-support/cli.js';

/** A binary STL's Z extent, read from its triangles. */
function stlHeight(bytes: Buffer): number {
  const count = bytes.readUInt32LE(80);
  let min = Infinity, max = -Infinity;
  for (let t = 0; t < count; t++) {
    for (let corner = 0; corner < 3; corner++) {
      const z = bytes.readFloatLE(84 + t * 50 + 12 + corner * 12 + 8);
      min = Math.min(min, z);
      max = Math.max(max, z);
    }
  }
  expect(bytes.length).toBe(84 + count * 50);
  return max - min;
}

describe('models in other formats through the client and the CLI (real local generator)', () => {
  let server: TestServer;
  let work: string;
  let jobId: string;
  const env = () => ({ IMAGE2MODEL_URL: server.url, IMAGE2MODEL_API_KEY: USER_KEY });

  beforeAll(async () => {
    server = await startTestServer();
    work = await mkdtemp(join(tmpdir(), 'i2m-cli-formats-'));
    await writeFile(join(work, 'chair.png'), await makePhoto());
    const run = await runCli(['generate', join(work, 'chair.png'), '--out', join(work, 'generated'), '--face-limit', '1000', '--format', 'stl', '--height-mm', '50', '--json'], { env: env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    jobId = (JSON.parse(run.stdout) as { job_id: string }).job_id;
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('generate --format stl --height-mm saves an STL of that height', async () => {
    expect(await readdir(join(work, 'generated'))).toEqual(['chair.stl']);
    expect(stlHeight(await readFile(join(work, 'generated', 'chair.stl')))).toBeCloseTo(50, 3);
  });

  it('download --format obj saves the OBJ ZIP, and --zip --format ply a ZIP of PLYs', async () => {
    const obj = await runCli(['download', jobId, '--out', join(work, 'obj'), '--format', 'obj'], { env: env() });
    expect(obj.code).toBe(0);
    expect(Object.keys(unzipSync(await readFile(join(work, 'obj', 'chair.obj.zip')))).sort()).toEqual(['model.mtl', 'model.obj', 'texture.jpg']);
    const zip = await runCli(['download', jobId, '--out', join(work, 'zip'), '--zip', '--format', 'ply'], { env: env() });
    expect(zip.code).toBe(0);
    const [name] = await readdir(join(work, 'zip'));
    expect(Object.keys(unzipSync(await readFile(join(work, 'zip', name!)))).sort()).toEqual(['chair.ply', 'manifest.json']);
  });

  it('refuses an unknown --format and --height-mm with --zip before asking the server', async () => {
    const unknown = await runCli(['download', jobId, '--format', 'fbx'], { env: env() });
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/glb, stl, 3mf, obj, ply, usdz/);
    const withZip = await runCli(['download', jobId, '--zip', '--height-mm', '20'], { env: env() });
    expect(withZip.code).not.toBe(0);
    expect(withZip.stderr).toMatch(/--height-mm applies to separate models/);
  });

  it('downloadModel names the file with its format and reports its content type', async () => {
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
    const download = await client.downloadModel(jobId, 'file_001', { format: '3mf' });
    expect(download).toMatchObject({ filename: 'chair.3mf', contentType: 'model/3mf' });
    expect(Object.keys(unzipSync(new Uint8Array(await new Response(download.stream).arrayBuffer())))).toContain('3D/3dmodel.model');
  });
});
