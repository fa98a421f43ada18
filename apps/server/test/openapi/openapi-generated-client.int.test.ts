import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { uploadBatch } from '@image2model/testing/http';

const run = promisify(execFile);
const repoModules = fileURLToPath(new URL('../../../../node_modules/', import.meta.url));

/**
 * A plain REST caller's program, written as its author would: no casts. It compiles only if the
 * document types the error body as `{detail: {code, message, details}}` with the codes as a union.
 */
function consumerProgram(opts: { baseUrl: string; key: string; jobId: string; sessionId: string }): string {
  return `import createClient from 'openapi-fetch';
import type { components, paths } from './api.js';

const client = createClient<paths>({ baseUrl: ${JSON.stringify(opts.baseUrl)} });
const auth = { Authorization: 'Bearer ' + ${JSON.stringify(opts.key)} };

const job = await client.GET('/status/{job_id}', { params: { path: { job_id: ${JSON.stringify(opts.jobId)} } }, headers: auth });
if (!job.data) throw new Error('no job: ' + job.response.status);
const firstFile: components['schemas']['JobFile'] | undefined = job.data.files[0];

const bySession = await client.GET('/status/{job_id}', {
  params: { path: { job_id: ${JSON.stringify(opts.jobId)} }, query: { session_id: ${JSON.stringify(opts.sessionId)} } },
});

const missing = await client.GET('/status/{job_id}', { params: { path: { job_id: 'batch_20990101_000000_aaaaaa' } }, headers: auth });
if (!missing.error) throw new Error('expected an error, got ' + missing.response.status);
type Code = typeof missing.error.detail.code;
// The codes are a union, not any string: a typo in a comparison would not compile.
const codesAreAUnion: string extends Code ? never : 'NOT_FOUND' extends Code ? true : never = true;

const health = await client.GET('/health');

console.log(JSON.stringify({
  job: { id: job.data.job_id, total_files: job.data.total_files, first_file_status: firstFile?.status },
  by_session: bySession.data?.job_id ?? null,
  error: { status: missing.response.status, code: missing.error.detail.code, message: missing.error.detail.message, details: missing.error.detail.details },
  health: health.data?.status ?? null,
  codes_are_a_union: codesAreAUnion,
}));
`;
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2022', 'DOM'],
    types: [],
    strict: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    outDir: 'dist',
  },
  include: ['main.ts', 'api.d.ts'],
};

describe('a client generated from the served document (openapi-typescript + openapi-fetch, outside the repo)', () => {
  let server: TestServer;
  let project: string;

  beforeAll(async () => {
    server = await startTestServer({ provider: new FakeModelProvider() });
    project = await mkdtemp(join(tmpdir(), 'i2m-openapi-client-'));
  });
  afterAll(async () => {
    await server?.stop();
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('type-checks under strict TypeScript with no casts, and reads a success and an error (error.detail.code)', { timeout: 90_000 }, async () => {
    const uploaded = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'chair.png', data: await makePhoto(), type: 'image/png' }] });
    expect(uploaded.status).toBe(200);
    const { job_id: jobId, session_id: sessionId } = (await uploaded.json()) as { job_id: string; session_id: string };

    // The project installs nothing: its two packages are the repo's (no network in tests).
    await mkdir(join(project, 'node_modules'));
    for (const name of ['openapi-fetch', 'openapi-typescript-helpers']) await symlink(join(repoModules, name), join(project, 'node_modules', name), 'dir');
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'rest-consumer', private: true, type: 'module' }));
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    await writeFile(join(project, 'openapi.json'), await (await fetch(server.api('/openapi.json'))).text());
    await writeFile(join(project, 'main.ts'), consumerProgram({ baseUrl: `${server.url}/api/v1`, key: USER_KEY, jobId, sessionId }));

    const node = process.execPath;
    await run(node, [join(repoModules, 'openapi-typescript/bin/cli.js'), 'openapi.json', '--output', 'api.d.ts'], { cwd: project });
    await run(node, [join(repoModules, 'typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: project }).catch((error: { stdout?: string }) => {
      throw new Error(`the consumer does not type-check:\n${error.stdout ?? String(error)}`);
    });
    const { stdout } = await run(node, ['dist/main.js'], { cwd: project });

    expect(JSON.parse(stdout)).toEqual({
      job: { id: jobId, total_files: 1, first_file_status: expect.stringMatching(/^(pending|processing|completed)$/) },
      by_session: jobId,
      error: { status: 404, code: 'NOT_FOUND', message: expect.any(String), details: {} },
      health: 'healthy',
      codes_are_a_union: true,
    });
  });
});
