import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@image2model/core';
import { FakeModelProvider } from '@image2model/core/testing';
import { createImage2ModelClient } from '../index.js';
import { makePhoto } from '@image2model/testing/images';
import { OTHER_USER_KEY, startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { closedPort, startForeignServer } from '@image2model/testing/net';
import { runCli, startCli } from '../test-support/cli.js';
import { waitFor } from '@image2model/testing/http';

/** A GLB's 12-byte header: magic "glTF", version 2, and the total length, which must be the file's. */
function expectGlb(bytes: Buffer): void {
  expect(bytes.subarray(0, 4).toString('ascii')).toBe('glTF');
  expect(bytes.readUInt32LE(4)).toBe(2);
  expect(bytes.readUInt32LE(8)).toBe(bytes.length);
}

let work = '';
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'i2m-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function photos(names: string[]): Promise<string[]> {
  const colours = ['#d04a2a', '#2a7fd0', '#3aa04a', '#a03ab0'];
  return Promise.all(
    names.map(async (name, i) => {
      const path = join(work, name);
      await writeFile(path, await makePhoto({ format: name.endsWith('.jpg') ? 'jpeg' : 'png', colour: colours[i % colours.length], width: 96 + 16 * i }));
      return path;
    }),
  );
}

describe('image2model generate with the real local generator', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  it('turns a batch of three images into three GLBs on disk', { timeout: 90_000 }, async () => {
    const images = await photos(['chair.png', 'table.jpg', 'lamp.png']);
    const out = join(work, 'models');
    const run = await runCli(['generate', ...images, '--out', out, '--face-limit', '2000', '--json'], {
      env: { IMAGE2MODEL_URL: server.url, IMAGE2MODEL_API_KEY: USER_KEY },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { job_id: string; status: string; files: { filename: string; status: string; path: string }[] };
    expect(result.status).toBe('completed');
    expect(result.files.map((f) => [f.filename, f.status, f.path])).toEqual([
      ['chair.png', 'completed', join(out, 'chair.glb')],
      ['table.jpg', 'completed', join(out, 'table.glb')],
      ['lamp.png', 'completed', join(out, 'lamp.glb')],
    ]);
    expect((await readdir(out)).sort()).toEqual(['chair.glb', 'lamp.glb', 'table.glb']);
    for (const file of result.files) expectGlb(await readFile(file.path));
    const job = await createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY }).status.get.query({ job_id: result.job_id });
    expect(job.files.map((f) => f.face_limit)).toEqual([2000, 2000, 2000]);
  });

  it('says when a model is a flat card and why, in generate and status, as text and with --json', { timeout: 90_000 }, async () => {
    // Gravel with no object on it: the generator cannot separate one and makes a card.
    const gravel = join(work, 'gravel.jpg');
    await writeFile(gravel, await readFile(new URL('../../../mesh/src/test-support/backgrounds/gravel.jpg', import.meta.url)));
    const env = { IMAGE2MODEL_URL: server.url, IMAGE2MODEL_API_KEY: USER_KEY };
    const text = await runCli(['generate', gravel, '--out', join(work, 'card-text'), '--face-limit', '2000'], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`ok      gravel.jpg -> ${join(work, 'card-text', 'gravel.glb')}  (flat card)`);
    expect(text.stdout).toMatch(/\n {8}warning BACKGROUND_NOT_SEPARATED: Could not separate an object from the background; made a flat card of the whole photo/);
    expect(text.stderr).toContain('gravel.jpg: generated (flat card) warnings: BACKGROUND_NOT_SEPARATED');

    const json = await runCli(['generate', gravel, '--out', join(work, 'card-json'), '--face-limit', '2000', '--json'], { env });
    const result = JSON.parse(json.stdout) as { job_id: string; files: { shape: string; warnings: { code: string; message: string }[] }[] };
    expect(result.files[0]).toMatchObject({ shape: 'card', warnings: [{ code: 'BACKGROUND_NOT_SEPARATED' }] });

    const status = await runCli(['status', result.job_id], { env });
    expect(status.stdout).toMatch(/file_001 +gravel\.jpg +completed +100% +http\S+ +\(flat card\)\n {8}warning BACKGROUND_NOT_SEPARATED: /);
    const statusJson = JSON.parse((await runCli(['status', result.job_id, '--json'], { env })).stdout) as typeof result;
    expect(statusJson.files[0]).toMatchObject({ shape: 'card', warnings: [{ code: 'BACKGROUND_NOT_SEPARATED' }] });
  });

  it('generate --front --left --back makes one model of one object, named after the front, and lists its views', { timeout: 90_000 }, async () => {
    const [front, left, back] = await photos(['mug-front.png', 'mug-left.jpg', 'mug-back.png']);
    const out = join(work, 'multiview');
    const env = { IMAGE2MODEL_URL: server.url, IMAGE2MODEL_API_KEY: USER_KEY };
    const text = await runCli(['generate', '--front', front ?? '', '--left', left ?? '', '--back', back ?? '', '--out', out, '--face-limit', '2000'], { env });
    expect(text.code).toBe(0);
    expect(text.stderr).toMatch(/^Uploaded 3 views \(front, left, back\) of one object as job batch_\w+\n/);
    expect(text.stdout).toContain(`ok      mug-front.png -> ${join(out, 'mug-front.glb')}`);
    expect(text.stdout).toContain('\n        views front: mug-front.png, left: mug-left.jpg, back: mug-back.png\n');
    expect(text.stdout).toMatch(/1 of 1 model generated \(job batch_\w+, completed\)/);
    expect(await readdir(out)).toEqual(['mug-front.glb']);
    expectGlb(await readFile(join(out, 'mug-front.glb')));

    const json = await runCli(['generate', '--front', front ?? '', '--right', left ?? '', '--out', join(work, 'multiview-json'), '--face-limit', '2000', '--json'], { env });
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout) as { job_id: string; status: string; files: { file_id: string; filename: string; status: string; views: unknown }[] };
    expect(result).toMatchObject({ status: 'completed', files: [{ file_id: 'file_001', filename: 'mug-front.png', status: 'completed', views: { front: 'mug-front.png', right: 'mug-left.jpg' } }] });
    const status = await runCli(['status', result.job_id], { env });
    expect(status.stdout).toMatch(/file_001 +mug-front\.png +completed +100% +http\S+.*\n {8}views front: mug-front\.png, right: mug-left\.jpg/);
  });
});

describe('image2model against a scripted server', () => {
  let server: TestServer;
  let provider: FakeModelProvider;
  const env = () => ({ IMAGE2MODEL_URL: server.url, IMAGE2MODEL_API_KEY: USER_KEY });

  beforeAll(async () => {
    provider = new FakeModelProvider();
    server = await startTestServer({ provider, env: { WORKER_CONCURRENCY: '1' } });
  });
  afterAll(() => server.stop());
  afterEach(() => provider.release());

  async function finishedJob(count: number): Promise<string> {
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
    const { job_id } = await client.upload(await Promise.all(Array.from({ length: count }, () => makePhoto())));
    await client.waitForJob(job_id);
    return job_id;
  }

  it('exits 1 and prints why when a file fails, keeping the models that succeeded', async () => {
    provider.failNext(new AppError('PROCESSING_ERROR', 'Unreadable photo'));
    const images = await photos(['broken.png', 'fine.png']);
    const out = join(work, 'partial');
    const run = await runCli(['generate', ...images, '--out', out], { env: env() });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAILED  broken.png: PROCESSING_ERROR: Unreadable photo');
    expect(run.stdout).toContain(`ok      fine.png -> ${join(out, 'fine.glb')}`);
    expect(run.stdout).toMatch(/1 of 2 models generated \(job batch_\w+, partial\)/);
    expect(run.stderr).toContain('broken.png: failed: PROCESSING_ERROR: Unreadable photo');
    expect(await readdir(out)).toEqual(['fine.glb']);
  });

  it('saves one ZIP with --zip', async () => {
    const images = await photos(['one.png', 'two.png']);
    const out = join(work, 'zipped');
    const run = await runCli(['generate', ...images, '--out', out, '--zip', '--json'], { env: env() });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { job_id: string; zip: string };
    expect(result.zip).toBe(join(out, `${result.job_id}.zip`));
    const entries = unzipSync(new Uint8Array(await readFile(result.zip)));
    expect(Object.keys(entries).sort()).toEqual(['manifest.json', 'one.glb', 'two.glb']);
  });

  it('sends each upload with an Idempotency-Key of its own (the client retries with it): one stored answer per run', async () => {
    const records = async () => (existsSync(join(server.dataDir, 'idempotency')) ? (await readdir(join(server.dataDir, 'idempotency'))).length : 0);
    const before = await records();
    const images = await photos(['keyed.png']);
    for (const out of ['keyed-1', 'keyed-2']) expect((await runCli(['generate', ...images, '--out', join(work, out)], { env: env() })).code).toBe(0);
    expect(await records()).toBe(before + 2);
  });

  it('status prints the job, as text and as the API returns it with --json', async () => {
    const jobId = await finishedJob(2);
    const text = await runCli(['status', jobId], { env: env() });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^${jobId}  completed  100%  \\(2 files: 2 completed, 0 failed\\)`));
    expect(text.stdout).toMatch(/file_002 +image-2\.png +completed +100%/);
    const json = await runCli(['status', jobId, '--json'], { env: env() });
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
    expect(JSON.parse(json.stdout)).toEqual(await client.status.get.query({ job_id: jobId }));
  });

  it('cancel stops a running job (or named files) and retry generates the cancelled files again', async () => {
    provider.hold();
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
    const { job_id: jobId } = await client.upload(await Promise.all([makePhoto(), makePhoto(), makePhoto()]));
    const one = await runCli(['cancel', jobId, 'file_003'], { env: env() });
    expect(one.code).toBe(0);
    expect(one.stdout.trim()).toBe(`${jobId}: cancelled file_003 (job processing)`);
    const rest = await runCli(['cancel', jobId, '--json'], { env: env() });
    expect(JSON.parse(rest.stdout)).toEqual({ job_id: jobId, status: 'cancelled', cancelled_file_ids: ['file_001', 'file_002'] });
    const status = await runCli(['status', jobId], { env: env() });
    expect(status.stdout).toMatch(new RegExp(`^${jobId}  cancelled  100%  \\(3 files: 0 completed, 0 failed, 3 cancelled\\)  expires \\d{4}-`));
    const unknown = await runCli(['cancel', jobId, 'file_009'], { env: env() });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('file_009');

    provider.release();
    const retried = await runCli(['retry', jobId, '--file', 'file_001', 'file_002', '--face-limit', '500'], { env: env() });
    expect(retried.code).toBe(0);
    expect(retried.stdout.trim()).toBe(`${jobId}: queued file_001, file_002 again (follow with: image2model status ${jobId})`);
    const job = await client.waitForJob(jobId);
    expect(job.files.map((f) => [f.status, f.face_limit])).toEqual([['completed', 500], ['completed', 500], ['cancelled', null]]);
    const nothing = await runCli(['retry', jobId, '--file', 'file_001'], { env: env() });
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/Nothing to retry/);
  });

  it('Ctrl+C during generate asks whether to cancel the job on the server: yes cancels it, no leaves it running', async () => {
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
    const interrupted = async (answer: string) => {
      provider.hold();
      const cli = startCli(['generate', ...(await photos(['held-1.png', 'held-2.png'])), '--out', join(work, 'interrupted')], { env: env() });
      const jobId = await waitFor(async () => /job (batch_\w+)/.exec(cli.output().stderr)?.[1], { what: 'the upload' });
      cli.child.kill('SIGINT');
      await waitFor(async () => (cli.output().stderr.includes('[y/N]') ? true : undefined), { what: 'the question' });
      cli.child.stdin.write(`${answer}\n`);
      const run = await cli.finished;
      return { jobId, run };
    };

    const yes = await interrupted('y');
    expect(yes.run.code).toBe(130);
    expect(yes.run.stderr).toContain(`Cancelled 2 files of job ${yes.jobId} (job cancelled); generate them again with: image2model retry ${yes.jobId}`);
    expect((await client.status.get.query({ job_id: yes.jobId })).status).toBe('cancelled');
    provider.release();

    const no = await interrupted('');
    expect(no.run.code).toBe(130);
    expect(no.run.stderr).toContain(`Job ${no.jobId} goes on on the server`);
    expect((await client.status.get.query({ job_id: no.jobId })).status).toBe('processing');
    provider.release();
    expect((await client.waitForJob(no.jobId)).status).toBe('completed');
  });

  it('jobs lists the key’s jobs newest first, filtered by status, as text and with --json', async () => {
    const first = await finishedJob(1);
    const second = await finishedJob(1);
    const text = await runCli(['jobs', '--status', 'completed,failed'], { env: env() });
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${second}  completed +100%  1 files \\(1 completed, 0 failed, 0 cancelled\\)`));
    expect(lines.findIndex((line) => line.startsWith(first))).toBeGreaterThan(0);
    const json = await runCli(['jobs', '--limit', '1', '--json'], { env: env() });
    const page = JSON.parse(json.stdout) as { jobs: { job_id: string }[]; next_cursor: string | null };
    expect(page.jobs.map((j) => j.job_id)).toEqual([second]);
    expect(page.next_cursor).toEqual(expect.any(String));
    const none = await runCli(['jobs'], { env: { ...env(), IMAGE2MODEL_API_KEY: OTHER_USER_KEY } });
    expect(none.stdout.trim()).toBe('No jobs.');
    expect((await runCli(['jobs', '--status', 'finished'], { env: env() })).code).toBe(1);
  });

  it('download saves every completed model, one file, or the ZIP', async () => {
    const jobId = await finishedJob(2);
    const out = join(work, `download-${jobId}`);
    const all = await runCli(['download', jobId, '--out', out], { env: env() });
    expect(all.code).toBe(0);
    expect(all.stdout.trim().split('\n')).toEqual([`Saved ${join(out, 'image-1.glb')}`, `Saved ${join(out, 'image-2.glb')}`]);
    expect((await readFile(join(out, 'image-2.glb'))).toString()).toBe(`glTF fake model for ${jobId}/file_002`);
    const one = await runCli(['download', jobId, '--file', 'file_002', '--out', join(out, 'one'), '--json'], { env: env() });
    expect(JSON.parse(one.stdout)).toMatchObject({ files: [{ file_id: 'file_002', path: join(out, 'one', 'image-2.glb') }] });
    const zip = await runCli(['download', jobId, '--zip', '--out', join(out, 'zip')], { env: env() });
    expect(zip.code).toBe(0);
    expect(existsSync(join(out, 'zip', `${jobId}.zip`))).toBe(true);
  });

  it('health reports liveness and readiness', async () => {
    const run = await runCli(['health', '--url', server.url]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/is healthy and ready \(storage: writable/);
    const json = await runCli(['health', '--url', server.url, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ url: server.url, status: 'healthy', ready: { status: 'ready' } });
  });

  it('lets --url and --api-key override the environment', async () => {
    const jobId = await finishedJob(1);
    const port = await closedPort();
    const run = await runCli(['status', jobId, '--url', server.url, '--api-key', USER_KEY, '--json'], {
      env: { IMAGE2MODEL_URL: `http://127.0.0.1:${port}`, IMAGE2MODEL_API_KEY: 'wrong-key' },
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ job_id: jobId, status: 'completed' });
  });

  it('says clearly when the URL is wrong', async () => {
    const port = await closedPort();
    const refused = await runCli(['status', 'batch_x'], { env: { IMAGE2MODEL_URL: `http://127.0.0.1:${port}`, IMAGE2MODEL_API_KEY: USER_KEY } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Cannot reach the Image2Model server at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(refused.stderr).toContain('Check --url or IMAGE2MODEL_URL');
    const foreign = await startForeignServer();
    try {
      const run = await runCli(['health', '--url', foreign.url, '--json']);
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'UNEXPECTED_RESPONSE', status: 404, hint: expect.stringContaining('IMAGE2MODEL_URL') } });
    } finally {
      await foreign.close();
    }
  });

  it('says clearly when the API key is wrong or missing', async () => {
    const bad = await runCli(['status', 'batch_x', '--url', server.url, '--api-key', 'not-a-key']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('[AUTHENTICATION_REQUIRED, HTTP 401]');
    expect(bad.stderr).toContain('The server does not accept this API key: check --api-key or IMAGE2MODEL_API_KEY.');
    const images = await photos(['keyless.png']);
    const missing = await runCli(['generate', ...images, '--url', server.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No API key: pass --api-key or set IMAGE2MODEL_API_KEY');
  });

  it('refuses a missing image before uploading anything', async () => {
    const [present] = await photos(['present.png']);
    const uploads = () => server.logLines.filter((line) => line.includes('Created job')).length;
    const before = uploads();
    const run = await runCli(['generate', present ?? '', join(work, 'absent.png')], { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`File not found: ${join(work, 'absent.png')}`);
    expect(uploads()).toBe(before);
    expect(before).toBeGreaterThan(0);
  });

  it('answers --help for every command', async () => {
    for (const command of [[], ['generate'], ['status'], ['download'], ['webhooks'], ['health']]) {
      const run = await runCli([...command, '--help']);
      expect(run.code, command.join(' ')).toBe(0);
      expect(run.stdout).toContain(`Usage: image2model${command.length ? ` ${command[0]}` : ''} [options]`);
    }
  });

  it('refuses, exit 2 and nothing sent, views without a front or a side, and --front beside images', async () => {
    const [a, b, c] = await photos(['usage-a.png', 'usage-b.png', 'usage-c.png']);
    const uploads = () => server.logLines.filter((line) => line.includes('Created job')).length;
    const before = uploads();
    const cases: [string[], string][] = [
      [['--front', a ?? '', '--left', b ?? '', c ?? ''], '--front makes one model from views of one object and takes no images as arguments'],
      [['--front', a ?? '', '--back', b ?? ''], '--front needs --left or --right as well: a side view is what gives the model its depth'],
      [['--left', a ?? '', '--right', b ?? ''], '--left needs --front'],
      [[], 'missing images'],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(['generate', ...args, '--out', join(work, 'usage')], { env: env() });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain(`error: ${message}`);
      expect(run.stderr).toContain('(run with --help for usage)');
    }
    // A view that does not exist is found before anything is sent, as an image is.
    const missing = await runCli(['generate', '--front', a ?? '', '--left', join(work, 'absent-left.png')], { env: env() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`File not found: ${join(work, 'absent-left.png')}`);
    expect(uploads()).toBe(before);
    expect(existsSync(join(work, 'usage'))).toBe(false);
  });

  it('explains the views in generate --help', async () => {
    const run = await runCli(['generate', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: image2model generate [options] [images...]');
    expect(run.stdout).toMatch(/--front <image> +one object seen from several sides/);
    expect(run.stdout).toContain('image2model generate --front mug-front.jpg --left mug-left.jpg [--back mug-back.jpg] [--right mug-right.jpg]');
  });

  it('exits 2 on a bad option value', async () => {
    const run = await runCli(['generate', 'x.png', '--face-limit', 'many']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("option '--face-limit <n>' argument 'many' is invalid");
  });
});

describe('image2model and webhooks', () => {
  const HOOK = 'https://93.184.216.34/hooks/i2m';
  const OTHER_HOOK = 'https://93.184.216.35/hooks/other';
  let server: TestServer;
  let provider: FakeModelProvider;
  const env = () => ({ IMAGE2MODEL_URL: server.url, IMAGE2MODEL_API_KEY: USER_KEY });
  beforeAll(async () => {
    provider = new FakeModelProvider();
    server = await startTestServer({ provider, env: { PUBLIC_URL: 'https://i2m.example.com' } });
  });
  afterAll(async () => {
    provider.release();
    await server.stop();
  });

  it('generate --webhook names the job\'s URL, retry --webhook replaces it, and a refused URL fails the upload', async () => {
    const images = await photos(['hooked.png']);
    const run = await runCli(['generate', ...images, '--out', join(work, 'hooked'), '--webhook', HOOK, '--json'], { env: env() });
    expect(run.code).toBe(0);
    const { job_id: jobId } = JSON.parse(run.stdout) as { job_id: string };
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
    expect((await client.status.get.query({ job_id: jobId })).webhook_url).toBe(HOOK);

    provider.hold();
    await client.models.generateSingle.mutate({ job_id: jobId, file_id: 'file_001' });
    await client.jobs.cancel.mutate({ job_id: jobId });
    provider.release();
    expect((await runCli(['retry', jobId, '--webhook', OTHER_HOOK], { env: env() })).code).toBe(0);
    expect((await client.waitForJob(jobId)).webhook_url).toBe(OTHER_HOOK);

    const refused = await runCli(['generate', ...images, '--out', join(work, 'refused'), '--webhook', 'http://93.184.216.34/hook'], { env: env() });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('webhook_url must use https://');
  });

  it('webhooks lists a job\'s deliveries as text and as the API returns them, and --redeliver queues the exhausted ones again', async () => {
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
    const { job_id: jobId } = await client.upload([await makePhoto()]);
    // Sending is not the CLI's business: deliveries are queued straight into the server's outbox.
    const id = `evt_${'b'.repeat(32)}`;
    const body = JSON.stringify({ id, type: 'file.completed', created_at: new Date().toISOString(), data: { job_id: jobId, file_id: 'file_001' } });
    await server.runtime.webhookOutbox.enqueue({ id, job_id: jobId, type: 'file.completed', url: HOOK, body });
    await server.runtime.webhookOutbox.markGone(jobId, HOOK);

    const text = await runCli(['webhooks', jobId], { env: env() });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^${id}  file\\.completed  file_001  exhausted   0 attempts  the receiver answered 410 Gone`));
    const json = await runCli(['webhooks', jobId, '--json'], { env: env() });
    expect(JSON.parse(json.stdout)).toEqual(await client.jobs.webhooks.query({ job_id: jobId }));

    const redelivered = await runCli(['webhooks', jobId, '--redeliver'], { env: env() });
    expect(redelivered.code).toBe(0);
    expect(redelivered.stdout.split('\n')[0]).toBe(`${jobId}: 1 exhausted delivery queued again`);
    expect(redelivered.stdout).toMatch(/file_001 {2}pending /);
    const again = JSON.parse((await runCli(['webhooks', jobId, '--redeliver', '--json'], { env: env() })).stdout) as { redelivered: number; deliveries: unknown[] };
    expect([again.redelivered, again.deliveries.length]).toEqual([0, 1]);

    const other = await runCli(['webhooks', jobId], { env: { ...env(), IMAGE2MODEL_API_KEY: OTHER_USER_KEY } });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('NOT_FOUND, HTTP 404');
  });
});
