import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '@image2model/testing/child-server';
import { openRawClient } from '@image2model/testing/raw-socket';
import { waitFor } from '@image2model/testing/http';

const KEY = 'temps-on-exit-key';

/** Sends the headers and half of a 200 KB upload, then holds the socket open. */
async function startHalfUpload(server: ChildServer) {
  const client = await openRawClient(server.url);
  const boundary = 'halfUploadBoundary';
  client.socket.write(
    [
      'POST /api/v1/upload/batch HTTP/1.1',
      'Host: x',
      `Authorization: Bearer ${KEY}`,
      `Content-Type: multipart/form-data; boundary=${boundary}`,
      `Content-Length: ${200_000}`,
      '',
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="half.png"\r\nContent-Type: image/png\r\n\r\n`,
    ].join('\r\n'),
  );
  client.socket.write(Buffer.alloc(100_000, 0x42));
  return client;
}

describe('upload temp files when the server stops mid-upload', { timeout: 90_000 }, () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function start(dataDir: string) {
    return startChildServer({ DATA_DIR: dataDir, API_KEYS: KEY, SHUTDOWN_GRACE_MS: '1000' });
  }

  const uploadsDir = (dataDir: string) => join(dataDir, 'tmp', 'uploads');
  const tempFiles = async (dataDir: string) => (await readdir(uploadsDir(dataDir))).filter((name) => name.startsWith('upload-'));

  it('SIGTERM: the server exits 0 and leaves no partial upload behind', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'i2m-temps-'));
    dirs.push(dataDir);
    const server = await start(dataDir);
    const client = await startHalfUpload(server);
    await waitFor(async () => ((await tempFiles(dataDir)).length > 0 ? true : undefined), { what: 'the partial upload on disk' });

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    client.destroy();
    expect(await tempFiles(dataDir)).toEqual([]);
  });

  it('kill -9: the next start removes what the killed process left, and nothing that is not an upload temp file', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'i2m-temps-'));
    dirs.push(dataDir);
    const first = await start(dataDir);
    const client = await startHalfUpload(first);
    await waitFor(async () => ((await tempFiles(dataDir)).length > 0 ? true : undefined), { what: 'the partial upload on disk' });
    first.child.kill('SIGKILL');
    await first.exited;
    client.destroy();
    expect((await tempFiles(dataDir)).length).toBe(1);
    await writeFile(join(uploadsDir(dataDir), 'not-an-upload.txt'), 'keep me');

    const second = await start(dataDir);
    try {
      expect(await tempFiles(dataDir)).toEqual([]);
      expect(await readdir(uploadsDir(dataDir))).toEqual(['not-an-upload.txt']);
      expect(second.output.join('\n')).toContain('Removed 1 upload temp file(s) left by a stopped process');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
