import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '@image2model/testing/child-server';
import { makePhoto, makePngHeaderClaiming } from '@image2model/testing/images';
import { waitFor } from '@image2model/testing/http';
import { multipartOf, newBoundary, postUpload, residentBytes } from '@image2model/testing/hostile-uploads';

const KEY = 'memory-storm-key';
const MAX_FILE_SIZE_MB = 10;
const MAX_FILES = 25;
const STORM_MS = 25_000;
const CLIENTS = 6;
const MiB = 1024 * 1024;
/** The documented bound (RELIABILITY.md): growth of the server's RSS over the storm. */
const MAX_RSS_GROWTH = 100 * MiB;

interface Attack {
  name: string;
  /** The answers that are right for it; 0 is "the client hung up first". */
  expected: number[];
  run(url: string): Promise<number>;
}

function attacks(photo: Buffer): Attack[] {
  const oversize = Buffer.concat([photo, Buffer.alloc(MAX_FILE_SIZE_MB * MiB + MiB - photo.length, 3)]);
  const bomb = makePngHeaderClaiming(50_000, 50_000);
  const junk = Buffer.concat([photo.subarray(0, 8), Buffer.alloc(2 * MiB, 0xab)]);
  const upload = (url: string, body: Buffer, boundary: string, opts: { cutAfter?: number; declaredLength?: number } = {}) => postUpload(url, KEY, body, { boundary, ...opts });
  return [
    { name: `a file of MAX_FILE_SIZE_MB + 1 MiB`, expected: [413], run: (url) => ((b) => upload(url, multipartOf([{ filename: 'big.png', data: oversize }], b), b))(newBoundary()) },
    { name: 'a decompression bomb (50,000 × 50,000 PNG header)', expected: [400], run: (url) => ((b) => upload(url, multipartOf([{ filename: 'bomb.png', data: bomb }], b), b))(newBoundary()) },
    {
      name: 'a multipart body truncated mid-part',
      expected: [400],
      run: (url) => ((b) => ((body) => upload(url, body.subarray(0, body.length / 2), b))(multipartOf([{ filename: 'cut.png', data: junk }], b, false)))(newBoundary()),
    },
    { name: 'a client that disconnects after 2 MiB', expected: [0], run: (url) => ((b) => upload(url, multipartOf([{ filename: 'gone.png', data: oversize }], b), b, { cutAfter: 2 * MiB }))(newBoundary()) },
    {
      name: `MAX_FILES + 1 files`,
      expected: [400],
      run: (url) => ((b) => upload(url, multipartOf(Array.from({ length: MAX_FILES + 1 }, (_, i) => ({ filename: `f${i}.png`, data: photo })), b), b))(newBoundary()),
    },
    { name: 'a PNG signature followed by 2 MiB of junk', expected: [400], run: (url) => ((b) => upload(url, multipartOf([{ filename: 'junk.png', data: junk }], b), b))(newBoundary()) },
  ];
}

describe('memory stays bounded under a storm of hostile uploads (child server)', { timeout: 180_000 }, () => {
  let dataDir: string;
  let server: ChildServer;
  let photo: Buffer;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'i2m-storm-'));
    photo = await makePhoto();
    server = await startChildServer({
      DATA_DIR: dataDir,
      API_KEYS: KEY,
      MAX_FILES: String(MAX_FILES),
      MAX_FILE_SIZE_MB: String(MAX_FILE_SIZE_MB),
      RATE_LIMIT_PER_MINUTE: '1000000',
      RATE_LIMIT_PER_HOUR: '1000000',
      LOG_LEVEL: 'warn',
    });
  });
  afterAll(async () => {
    if (server?.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it(`keeps RSS growth under ${MAX_RSS_GROWTH / MiB} MiB for ${STORM_MS / 1000} s, answers every attack correctly, and leaves no temp file`, async () => {
    const pid = server.child.pid as number;
    const kinds = attacks(photo);
    // One round first, so what any first request loads (modules, sharp, buffers) is in the baseline.
    for (const attack of kinds) expect(attack.expected, attack.name).toContain(await attack.run(server.url));
    const idle = await residentBytes(pid);

    const samples: number[] = [];
    const sampler = setInterval(() => {
      residentBytes(pid).then((rss) => samples.push(rss), () => undefined);
    }, 250);
    const wrong: string[] = [];
    let sent = 0;
    let healthy = 0;
    const stopAt = Date.now() + STORM_MS;
    const client = async (offset: number) => {
      for (let i = offset; Date.now() < stopAt; i++) {
        const attack = kinds[i % kinds.length] as Attack;
        const status = await attack.run(server.url);
        sent++;
        if (!attack.expected.includes(status)) wrong.push(`${attack.name}: ${status}`);
      }
    };
    const prober = async () => {
      while (Date.now() < stopAt) {
        if ((await fetch(`${server.url}/api/v1/health`, { signal: AbortSignal.timeout(15_000) })).status === 200) healthy++;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    };
    try {
      await Promise.all([...Array.from({ length: CLIENTS }, (_, i) => client(i)), prober()]);
    } finally {
      clearInterval(sampler);
    }

    const peak = Math.max(...samples);
    console.log(`storm: ${sent} hostile uploads, RSS idle ${(idle / MiB).toFixed(0)} MiB, peak ${(peak / MiB).toFixed(0)} MiB, growth ${((peak - idle) / MiB).toFixed(0)} MiB`);
    expect(wrong).toEqual([]);
    expect(sent).toBeGreaterThan(kinds.length * 2);
    expect(healthy).toBeGreaterThan(0);
    expect(samples.length).toBeGreaterThan(10);
    expect(peak - idle).toBeLessThan(MAX_RSS_GROWTH);
    await waitFor(async () => ((await readdir(join(dataDir, 'tmp', 'uploads'))).length === 0 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'the upload temp dir to be empty',
    });
    expect(await readdir(join(dataDir, 'jobs')).catch(() => [])).toEqual([]);
  });
});
