import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';

/**
 * Client-chosen names, each an attempt to make a ZIP entry that lands somewhere else or lies. (A NUL
 * in a part header makes the whole upload a 400: multipart.int.test.ts covers it.)
 */
const HOSTILE_NAMES = [
  '../../../etc/passwd.png',
  '/etc/shadow.png',
  'C:\\Windows\\System32\\evil.png',
  '..\\..\\boot.ini.png',
  'a\r\nX-Injected: 1\r\n.png',
  'photo\u202egnp.exe.png',
  '\u2066hidden\u2069\u200f.png',
  'dup.png',
  'dup.png',
  'DUP.png',
  'dup (2).png',
  `${'n'.repeat(996)}.png`,
  `${'\u{1d400}'.repeat(120)}.png`,
  '....png',
  ' .png',
  '.hidden.png',
  'manifest.png',
];

const BIDI_AND_INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

describe('ZIP entry names from hostile upload names (GET /download/{job_id}/all)', { timeout: 120_000 }, () => {
  let server: TestServer;
  let entries: string[];
  let disposition: string;
  let manifest: { files: { file_id: string; name: string; model: string | null }[] };
  let utf8Flags: boolean[];

  beforeAll(async () => {
    server = await startTestServer({ provider: new FakeModelProvider() });
    const photo = await makePhoto();
    const upload = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: HOSTILE_NAMES.map((name) => ({ name, data: photo, type: 'image/png' })) });
    expect(upload.status, await upload.clone().text()).toBe(200);
    const { job_id } = (await upload.json()) as { job_id: string };
    const done = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
    expect(done.files.map((f) => f.status)).toEqual(HOSTILE_NAMES.map(() => 'completed'));

    const zip = await fetch(server.api(`/download/${job_id}/all`), { headers: auth(USER_KEY) });
    expect(zip.status).toBe(200);
    disposition = zip.headers.get('content-disposition') ?? '';
    const bytes = new Uint8Array(await zip.arrayBuffer());
    const files = unzipSync(bytes);
    entries = Object.keys(files);
    manifest = JSON.parse(strFromU8(files['manifest.json'] as Uint8Array)) as typeof manifest;
    utf8Flags = centralDirectoryUtf8Flags(bytes);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('has one entry per model plus manifest.json, each name unique regardless of case', () => {
    expect(entries).toHaveLength(HOSTILE_NAMES.length + 1);
    expect(entries).toContain('manifest.json');
    expect(new Set(entries.map((e) => e.toLowerCase())).size).toBe(entries.length);
    expect(manifest.files.map((f) => f.model).sort()).toEqual(entries.filter((e) => e !== 'manifest.json').sort());
  });

  it('every entry name is a plain file name: no path, no control, bidi or invisible character, no half letter, at most 255 bytes', () => {
    for (const name of entries) {
      expect(name, JSON.stringify(name)).not.toMatch(/[/\\:]/);
      // eslint-disable-next-line no-control-regex -- no control character may reach a ZIP entry's name
      expect(name, JSON.stringify(name)).not.toMatch(/[\u0000-\u001f\u007f]/u);
      expect(name, JSON.stringify(name)).not.toMatch(BIDI_AND_INVISIBLE);
      expect(name, JSON.stringify(name)).not.toMatch(/\ufffd|\p{Cs}/u);
      expect(name, JSON.stringify(name)).not.toMatch(/^[.\s]/);
      expect(Buffer.byteLength(name, 'utf8'), JSON.stringify(name)).toBeLessThanOrEqual(255);
      expect(name === 'manifest.json' || name.endsWith('.glb'), name).toBe(true);
    }
  });

  it('names outside ASCII are flagged UTF-8, so unzip tools do not read them as another code page', () => {
    // Entry order in the central directory is the archive's; check every non-ASCII one.
    expect(utf8Flags.length).toBe(entries.length);
    const nonAscii = entries.map((name, i) => [name, utf8Flags[i]] as const).filter(([name]) => /[^\x20-\x7e]/.test(name));
    expect(nonAscii.length).toBeGreaterThan(0);
    for (const [name, flagged] of nonAscii) expect(flagged, name).toBe(true);
  });

  it('the manifest keeps each original name as data, escaped by JSON', () => {
    expect(manifest.files.map((f) => f.name)).toHaveLength(HOSTILE_NAMES.length);
    expect(manifest.files.some((f) => f.name.includes('\r\nX-Injected'))).toBe(true);
  });

  it("the ZIP's Content-Disposition is the job id, with nothing injected", () => {
    expect(disposition).not.toMatch(/[\r\n\0]/);
    expect(disposition).toMatch(/^attachment; filename="batch_[a-z0-9_]+\.zip"$/); // a plain name: no filename* needed
  });
});

// Was a bug: safeStem (apps/server/src/http/file-names.ts) cut long names at 100 UTF-16 units, which
// could split a surrogate pair; the half letter became U+FFFD in the entry name and a lone surrogate
// in manifest.json.
describe('a long name whose cut falls inside a letter outside the BMP', { timeout: 60_000 }, () => {
  it('gives a ZIP entry without half a letter', async () => {
    const server = await startTestServer({ provider: new FakeModelProvider() });
    try {
      const name = `a${'\u{1d400}'.repeat(120)}.png`;
      const upload = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name, data: await makePhoto(), type: 'image/png' }] });
      const { job_id } = (await upload.json()) as { job_id: string };
      await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
      const zip = await fetch(server.api(`/download/${job_id}/all`), { headers: auth(USER_KEY) });
      const entries = Object.keys(unzipSync(new Uint8Array(await zip.arrayBuffer())));
      expect(entries).toHaveLength(2);
      for (const entry of entries) expect(entry).not.toMatch(/\ufffd|\p{Cs}/u);
    } finally {
      await server.stop();
    }
  });
});

/** Bit 11 (language encoding: UTF-8) of each central directory record, in archive order. */
function centralDirectoryUtf8Flags(zip: Uint8Array): boolean[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const flags: boolean[] = [];
  for (let at = 0; at + 46 <= zip.length; ) {
    if (view.getUint32(at, true) !== 0x02014b50) {
      at++;
      continue;
    }
    flags.push((view.getUint16(at + 8, true) & 0x0800) !== 0);
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return flags;
}
