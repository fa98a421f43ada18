import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { auth, waitFor } from '@image2model/testing/http';
import { finishedJob, growModel } from '@image2model/testing/finished-job';

const MODEL_BYTES = 4 * 1024 * 1024;
const run = promisify(execFile);

/**
 * Like curl, in a process of its own (a client in the server's own event loop never wins the race):
 * each download reads the whole body, then drops the connection at once. Prints the byte counts.
 */
const HANG_UP_CLIENT = `
const { request } = require('node:http');
const [url, key, times] = process.argv.slice(1);
(async () => {
  const sizes = [];
  for (let i = 0; i < Number(times); i++) {
    sizes.push(await new Promise((resolve, reject) => {
      const req = request(url, { headers: { Authorization: 'Bearer ' + key }, agent: false }, (res) => {
        let received = 0;
        res.on('data', (chunk) => {
          received += chunk.length;
          if (received >= Number(res.headers['content-length'])) { req.destroy(); resolve(received); }
        });
        res.on('error', () => undefined);
      });
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      req.end();
    }));
  }
  process.stdout.write(JSON.stringify(sizes));
})();
`;

async function downloadThenHangUp(url: string, times: number): Promise<number[]> {
  const { stdout } = await run(process.execPath, ['-e', HANG_UP_CLIENT, url, USER_KEY, String(times)]);
  return JSON.parse(stdout) as number[];
}

/** Reads the first bytes of a download, then hangs up. */
function downloadPartly(url: string, bytes: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: auth(USER_KEY), agent: false }, (res) => {
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= bytes) {
          req.destroy();
          resolve();
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    req.end();
  });
}

describe('download logging', () => {
  let server: TestServer;
  let jobId: string;

  beforeAll(async () => {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { LOG_LEVEL: 'info' } });
    jobId = (await finishedJob(server, USER_KEY, ['chair.png'])).job_id;
    await growModel(server, jobId, 'file_001', MODEL_BYTES);
  }, 60_000);
  afterAll(() => server?.stop());

  const records = () => server.logLines.map((line) => JSON.parse(line) as { level: number; msg: string; path?: string; status?: number; code?: string });
  const modelPath = () => `/api/v1/download/${jobId}/file_001/model`;

  it('a client that hangs up right after the last byte is a success: no error line, one access line each', { timeout: 60_000 }, async () => {
    const before = server.logLines.length;
    expect(await downloadThenHangUp(`${server.url}${modelPath()}`, 20)).toEqual(Array.from({ length: 20 }, () => MODEL_BYTES));
    const access = await waitFor(async () => {
      const lines = records().slice(before).filter((r) => r.path === modelPath());
      return lines.length >= 20 ? lines : undefined;
    }, { timeoutMs: 5000, what: '20 access lines' }).catch(() => records().slice(before).filter((r) => r.path === modelPath()));
    const errors = records().slice(before).filter((r) => r.level >= 50);
    expect(errors.map((r) => r.msg)).toEqual([]);
    expect(access).toHaveLength(20);
    expect(access.every((r) => r.status === 200 && r.level === 30)).toBe(true);
  });

  it('a client that disconnects mid-download is one info line, not an error', { timeout: 30_000 }, async () => {
    const before = server.logLines.length;
    await downloadPartly(`${server.url}${modelPath()}`, 64 * 1024);
    const lines = await waitFor(async () => {
      const found = records().slice(before).filter((r) => /disconnect/i.test(r.msg));
      return found.length > 0 ? records().slice(before) : undefined;
    }, { timeoutMs: 5000, what: 'the disconnect line' });
    expect(lines.filter((r) => r.level >= 50).map((r) => r.msg)).toEqual([]);
    const disconnects = lines.filter((r) => /disconnect/i.test(r.msg));
    expect(disconnects).toHaveLength(1);
    expect(disconnects[0]?.level).toBe(30);
  });
});
