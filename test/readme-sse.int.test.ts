import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { auth, uploadBatch } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The fenced block after the README's marker for this test: its sample event stream. */
function readmeSample(): string {
  const marker = readme.indexOf('<!-- checked by test/readme-sse.int.test.ts -->');
  expect(marker, 'README.md has no sample stream marked for this test').toBeGreaterThan(-1);
  const match = /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(marker));
  expect(match?.[1]).toBeDefined();
  return match?.[1] ?? '';
}

/** What starts a line of an event stream: the field name, or ":" for a comment. */
const lineKind = (line: string) => (line.startsWith(':') ? ':' : line.slice(0, line.indexOf(':')));

describe("the README's description of the event stream", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ heartbeatMs: 20 });
  });
  afterAll(() => server?.stop());

  it('shows the kinds of line the server sends (id:, data: with the type inside, retry:, comments) and says there are no event: lines', async () => {
    const upload = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'chair.png', data: await makePhoto(), type: 'image/png' }] });
    const { job_id: jobId } = (await upload.json()) as { job_id: string };
    // The stream ends after the job's `done`.
    const response = await fetch(server.api(`/status/stream/${jobId}`), { headers: auth(USER_KEY) });
    const lines = (await response.text()).split('\n').filter((line) => line !== '');
    // Comments (": ping") come every heartbeat while nothing else happens: 20 ms here.
    const served = new Set(lines.map(lineKind));
    expect(served).toEqual(new Set(['retry', 'id', 'data', ':']));
    const types = new Set(lines.filter((line) => line.startsWith('data: ')).map((line) => (JSON.parse(line.slice(6)) as { type: string }).type));
    expect(types).toEqual(new Set(['progress', 'log', 'completed', 'done']));

    const sample = readmeSample().split('\n').filter((line) => line !== '');
    expect(new Set(sample.map(lineKind))).toEqual(served);
    for (const line of sample.filter((l) => l.startsWith('data: '))) expect(types).toContain((JSON.parse(line.slice(6)) as { type: string }).type);
    expect(sample.filter((line) => line.startsWith('data: ')).at(-1)).toContain('"type":"done"');
    expect(readme).toContain('no `event:` lines');
  });
});
