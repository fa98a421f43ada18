import { connect, type Socket } from 'node:net';
import { mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '@image2model/testing/child-server';
import { finishedJob, growModel } from '@image2model/testing/finished-job';
import { waitFor } from '@image2model/testing/http';

const KEY = 'slow-reader-key-0001';
const SLOW_READER_TIMEOUT_MS = 1500;
/** Far more than the loopback socket buffers of both ends can hold. */
const MODEL_BYTES = 48 * 1024 * 1024;

/** The server's open descriptors: all of them, and those on a model file. */
async function descriptors(pid: number): Promise<{ all: number; models: number }> {
  const entries = await readdir(`/proc/${pid}/fd`);
  const targets = await Promise.all(entries.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  return { all: targets.filter((t) => t !== '').length, models: targets.filter((t) => t.includes('/models/')).length };
}

/**
 * Sends a GET and never reads a byte of the answer (0 bytes/s). Being paused, this side cannot see
 * the server hang up either: the test watches the server's descriptors instead.
 */
function stalledGet(url: string, path: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.pause();
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\n\r\n`);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

describe('a client that stops reading a download', { timeout: 120_000 }, () => {
  let dataDir: string;
  let server: ChildServer;
  let jobId: string;
  const pid = () => server.child.pid ?? 0;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'i2m-slow-reader-'));
    server = await startChildServer({ DATA_DIR: dataDir, API_KEYS: KEY, SLOW_READER_TIMEOUT_MS: String(SLOW_READER_TIMEOUT_MS) });
    const api = { api: (path: string) => `${server.url}/api/v1${path}`, dataDir };
    jobId = (await finishedJob(api, KEY, ['a.png', 'b.png', 'c.png', 'd.png'])).job_id;
    for (const file of ['file_001', 'file_002', 'file_003', 'file_004']) await growModel(api, jobId, file, MODEL_BYTES);
  }, 120_000);
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    await rm(dataDir, { recursive: true, force: true });
  });

  for (const [what, path] of [
    ['a model', () => `/api/v1/download/${jobId}/file_001/model`],
    ['a ZIP', () => `/api/v1/download/${jobId}/all`],
  ] as const) {
    it(`${what} read at 0 bytes/s is cut after SLOW_READER_TIMEOUT_MS and its descriptors are freed`, async () => {
      const before = await descriptors(pid());
      const startedAt = Date.now();
      const client = await stalledGet(server.url, path());
      const during = await waitFor(async () => {
        const now = await descriptors(pid());
        return now.models > 0 ? now : undefined;
      }, { timeoutMs: 5000, what: 'the download to open its file' });
      // A ZIP opens its entries one at a time, never all four at once.
      expect(during.models).toBe(1);
      // The server cuts the socket and closes the file: its descriptors are back where they were.
      const after = await waitFor(async () => {
        const now = await descriptors(pid());
        return now.all <= before.all && now.models === 0 ? now : undefined;
      }, { timeoutMs: SLOW_READER_TIMEOUT_MS + 10_000, what: 'the descriptors to be freed' });
      const freedAfterMs = Date.now() - startedAt;
      expect(after.models).toBe(0);
      expect(freedAfterMs).toBeGreaterThanOrEqual(SLOW_READER_TIMEOUT_MS);
      client.destroy();
      const health = await fetch(`${server.url}/api/v1/health`);
      expect(health.status).toBe(200);
    });
  }
});
