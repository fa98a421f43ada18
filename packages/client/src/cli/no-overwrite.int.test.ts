import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { createImage2ModelClient } from '../index.js';
import { makePhoto } from '@image2model/testing/images';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { runCli } from '../test-support/cli.js';

/** Room for the CLI's event stream and its downloads at once, no more. */
const STREAMS_PER_KEY = 4;

describe('the CLI never overwrites, names files itself, and downloads a few at a time', () => {
  let server: TestServer;
  let provider: FakeModelProvider;
  let work: string;
  const env = () => ({ IMAGE2MODEL_URL: server.url, IMAGE2MODEL_API_KEY: USER_KEY });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'i2m-cli-names-'));
    provider = new FakeModelProvider();
    // Ten generations at once, so ten models can be ready in the same instant.
    server = await startTestServer({ provider, env: { MAX_STREAMS_PER_KEY: String(STREAMS_PER_KEY), WORKER_CONCURRENCY: '10' } });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(work, { recursive: true, force: true });
  });

  async function finishedJob(names: string[]): Promise<string> {
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
    const photo = await makePhoto();
    const { job_id } = await client.upload(names.map((name) => new File([photo], name, { type: 'image/png' })));
    await client.waitForJob(job_id);
    return job_id;
  }

  it('saves as name-2, name-3… next to existing files, unless --force', { timeout: 60_000 }, async () => {
    const jobId = await finishedJob(['chair.png']);
    const out = join(work, 'again');
    await runCli(['download', jobId, '--out', out], { env: env() });
    await writeFile(join(out, 'chair.glb'), 'mine, edited by hand');
    const second = await runCli(['download', jobId, '--out', out], { env: env() });
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe(`Saved ${join(out, 'chair-2.glb')}`);
    await runCli(['download', jobId, '--out', out], { env: env() });
    expect((await readdir(out)).sort()).toEqual(['chair-2.glb', 'chair-3.glb', 'chair.glb']);
    expect(await readFile(join(out, 'chair.glb'), 'utf8')).toBe('mine, edited by hand');

    const forced = await runCli(['download', jobId, '--out', out, '--force'], { env: env() });
    expect(forced.stdout.trim()).toBe(`Saved ${join(out, 'chair.glb')}`);
    expect(await readFile(join(out, 'chair.glb'), 'utf8')).toBe(`glTF fake model for ${jobId}/file_001`);

    for (let i = 0; i < 2; i++) await runCli(['download', jobId, '--zip', '--out', join(out, 'zips')], { env: env() });
    expect((await readdir(join(out, 'zips'))).sort()).toEqual([`${jobId}-2.zip`, `${jobId}.zip`]);
  });

  it('names each file from its upload name: no leading dot, no reserved device name, no unsafe character', { timeout: 60_000 }, async () => {
    const jobId = await finishedJob(['.hidden.png', 'CON.png', 'nul.tar.jpg', 'a<b>:c?.png', '...png', 'Lpt1.png', 'chair.png', 'chair.png']);
    const out = join(work, 'names');
    const run = await runCli(['download', jobId, '--out', out, '--json'], { env: env() });
    expect(run.code).toBe(0);
    const saved = (JSON.parse(run.stdout) as { files: { path: string }[] }).files.map((f) => f.path.slice(out.length + 1));
    expect(saved).toEqual(['hidden.glb', 'CON_.glb', 'nul.tar_.glb', 'a_b__c_.glb', 'file_005.glb', 'Lpt1_.glb', 'chair.glb', 'chair-2.glb']);
    expect((await readdir(out)).sort()).toEqual([...saved].sort()); // nothing else: no temp or placeholder file
  });

  it(`generate downloads at most a few models at once (the server allows ${STREAMS_PER_KEY} streams per key)`, { timeout: 60_000 }, async () => {
    const images = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const path = join(work, `photo-${i}.png`);
        await writeFile(path, await makePhoto({ width: 64 + i }));
        return path;
      }),
    );
    const out = join(work, 'many');
    provider.hold();
    const running = runCli(['generate', ...images, '--out', out, '--json'], { env: env() });
    await provider.waitForCalls(provider.calls.length + 10);
    provider.release(); // all ten complete together: ten downloads would start at once
    const run = await running;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((await readdir(out)).length).toBe(10);
  });
});
