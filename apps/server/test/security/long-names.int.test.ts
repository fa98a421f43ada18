import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('long upload names', () => {
  let server: TestServer;
  let photo: Buffer;

  beforeAll(async () => {
    server = await startTestServer({ provider: new FakeModelProvider() });
    photo = await makePhoto();
  });
  afterAll(() => server?.stop());

  async function upload(names: string[]) {
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: names.map((name) => ({ name, data: photo })) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { job_id: string; files: { filename: string }[] };
    return { body, status: await waitForJobStatus(server.api(`/status/${body.job_id}`), USER_KEY) };
  }

  it('25 files with 16 KB names: each name is cut to 255 bytes, the status answer stays under 64 KB', { timeout: 30_000 }, async () => {
    // Just under busboy's 16 KiB limit for a part's header block.
    const names = Array.from({ length: 25 }, (_, i) => `${String(i).padStart(2, '0')}${'n'.repeat(16_000)}.png`);
    const { body, status } = await upload(names);
    for (const [i, file] of status.files.entries()) {
      expect(bytes(file.filename)).toBeLessThanOrEqual(255);
      expect(file.filename).toMatch(new RegExp(`^${String(i).padStart(2, '0')}n+\\.png$`));
    }
    expect(body.files.every((f) => bytes(f.filename) <= 255)).toBe(true);
    const res = await fetch(server.api(`/status/${body.job_id}`), { headers: auth(USER_KEY) });
    expect((await res.arrayBuffer()).byteLength).toBeLessThan(64 * 1024);
  });

  it('cuts names of multi-byte letters at whole code points and keeps the extension', { timeout: 30_000 }, async () => {
    const names = [`${'€'.repeat(300)}.jpeg`, `${'😀'.repeat(100)}.png`, `${'é'.repeat(200)}`, `short name.png`, `${'x'.repeat(251)}.png`];
    const { status } = await upload(names);
    const stored = status.files.map((f) => f.filename);
    expect(bytes(stored[0] ?? '')).toBeLessThanOrEqual(255);
    expect(stored[0]).toMatch(/^€+\.jpeg$/u);
    expect(bytes(stored[1] ?? '')).toBeLessThanOrEqual(255);
    expect(stored[1]).toMatch(/^(😀)+\.png$/u);
    expect(bytes(stored[2] ?? '')).toBeLessThanOrEqual(255);
    expect(stored[2]).toMatch(/^é+$/u);
    expect(stored[3]).toBe('short name.png'); // short names are kept as sent
    expect(stored[4]).toBe(`${'x'.repeat(251)}.png`); // exactly 255 bytes: kept
    for (const name of stored) expect(Buffer.from(name, 'utf8').toString('utf8')).toBe(name); // no half letter
  });
});
