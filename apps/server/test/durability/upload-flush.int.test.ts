import fs from 'node:fs';
import { request } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { auth, waitFor } from '@image2model/testing/http';
import { makePhoto } from '@image2model/testing/images';
import { uploadTempDirOf } from '../../src/process/data-dir.js';

const BOUNDARY = 'flushTestBoundary';

function partHead(name: string): string {
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: image/jpeg\r\n\r\n`;
}

describe('uploaded photos reach the disk while the body is still arriving', () => {
  let server: TestServer | null = null;
  afterEach(async () => {
    vi.restoreAllMocks();
    await server?.stop();
    server = null;
  });

  it("fsyncs a finished part's temp file before the next part has arrived, so the flush overlaps receiving", async () => {
    server = await startTestServer();
    const tempDir = uploadTempDirOf(server.dataDir);
    // Which files were fsynced, by path (an fd is only a number once it is closed).
    const synced: string[] = [];
    const realFsync = fs.fsync;
    vi.spyOn(fs, 'fsync').mockImplementation(((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      try {
        synced.push(fs.readlinkSync(`/proc/self/fd/${fd}`));
      } catch {
        // an fd of another kind: not ours to name
      }
      realFsync(fd, callback);
    }) as typeof fs.fsync);

    const photo = await makePhoto({ format: 'jpeg' });
    const req = request(server.api('/upload/batch'), {
      method: 'POST',
      headers: { ...auth(USER_KEY), 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` },
    });
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    answer.catch(() => undefined); // a failing wait below stops the server under it: that is not a second failure
    // The first part whole and the second one's head: the parser knows the first has ended.
    req.write(partHead('first.jpg'));
    req.write(photo);
    req.write(`\r\n${partHead('second.jpg')}`);

    await waitFor(async () => (synced.some((path) => path.startsWith(tempDir)) ? true : undefined), { timeoutMs: 5000, what: "the first part's temp file fsynced" });

    req.end(Buffer.concat([photo, Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]));
    const { status, body } = await answer;
    expect(status, body).toBe(200);
    expect((JSON.parse(body) as { total_files: number }).total_files).toBe(2);
  });
});
