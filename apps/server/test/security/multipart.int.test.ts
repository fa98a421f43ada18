import { connect } from 'node:net';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, waitFor, waitForJobStatus } from '@image2model/testing/http';

const BOUNDARY = '----i2mBoundary7MA4YWxkTrZu0gW';

interface Part {
  field?: string;
  /** Written as is between the quotes of filename="…" (may hold raw CR/LF/NUL). */
  rawFilename?: string;
  /** Sent as RFC 5987 filename*=UTF-8''… (how a careful client sends odd names). */
  encodedFilename?: string;
  data: Buffer;
}

function multipartBody(parts: Part[], boundary = BOUNDARY, close = true): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = [`form-data; name="${part.field ?? 'files'}"`];
    if (part.rawFilename !== undefined) disposition.push(`filename="${part.rawFilename}"`);
    if (part.encodedFilename !== undefined) disposition.push(`filename*=UTF-8''${encodeURIComponent(part.encodedFilename)}`);
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition.join('; ')}\r\nContent-Type: application/octet-stream\r\n\r\n`, 'latin1'));
    chunks.push(part.data, Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
}

/** One HTTP/1.1 request over a raw socket: exactly these bytes, then read the answer to the end. */
function rawRequest(url: string, head: string, body: Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(head);
      socket.write(body);
    });
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(received).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, headers: text.slice(0, split), body: text.slice(split + 4) });
    });
    socket.setTimeout(60_000, () => socket.destroy(new Error('no answer within 60 s')));
  });
}

function requestHead(url: string, length: number, contentType = `multipart/form-data; boundary=${BOUNDARY}`): string {
  const { host } = new URL(url);
  return [`POST /api/v1/upload/batch HTTP/1.1`, `Host: ${host}`, `Authorization: Bearer ${USER_KEY}`, `Content-Type: ${contentType}`, `Content-Length: ${length}`, 'Connection: close', '', ''].join('\r\n');
}

/** The error body from a raw answer (the body may be chunked on the wire). */
function errorCode(answer: RawAnswer): string {
  const match = /\{"detail":\{"code":"([A-Z_]+)"/.exec(answer.body);
  if (!match) throw new Error(`no error body in ${answer.status} ${answer.body.slice(0, 300)}`);
  return match[1] as string;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('multipart attacks on POST /upload/batch', { timeout: 120_000 }, () => {
  let server: TestServer;
  let photo: Buffer;
  const provider = new FakeModelProvider();
  const tempFiles = () => readdir(join(server.dataDir, 'tmp', 'uploads')).catch(() => [] as string[]);
  /** Cleanup after an error may trail the answer by a moment: poll briefly. */
  const expectNoTempFiles = () => waitFor(async () => ((await tempFiles()).length === 0 ? true : undefined), { timeoutMs: 15_000, what: 'the upload temp dir to be empty' });

  beforeAll(async () => {
    server = await startTestServer({ provider });
    photo = await makePhoto();
  });
  afterAll(async () => {
    await server.stop();
  });

  it.each([
    ['a boundary that differs from the one declared', () => ({ body: multipartBody([{ rawFilename: 'a.png', data: photo }], 'OtherBoundary'), type: undefined })],
    ['no boundary in the content type', () => ({ body: multipartBody([{ rawFilename: 'a.png', data: photo }]), type: 'multipart/form-data' })],
    ['a truncated body (no closing boundary, part cut short)', () => ({ body: multipartBody([{ rawFilename: 'a.png', data: photo }], BOUNDARY, false).subarray(0, 300), type: undefined })],
    ['a body of random bytes', () => ({ body: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), type: undefined })],
    ['a header block that never ends', () => ({ body: Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="a.png"\r\n${'X-Pad: y\r\n'.repeat(2000)}`), type: undefined })],
  ])('%s is a 400 error body and leaves no temp file', async (_label, make) => {
    const { body, type } = make();
    const answer = await rawRequest(server.url, requestHead(server.url, body.length, type), body);
    expect(answer.status, answer.body.slice(0, 300)).toBe(400);
    expect(errorCode(answer)).toBe('VALIDATION_ERROR');
    await expectNoTempFiles();
  });

  it('a 0-byte file and a PNG header followed by garbage are 400 VALIDATION_ERROR, no temp file', async () => {
    const pngHeader = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    for (const data of [Buffer.alloc(0), Buffer.concat([pngHeader, Buffer.alloc(5000, 0xab)]), Buffer.concat([pngHeader, photo.subarray(8, 40)])]) {
      const body = multipartBody([{ rawFilename: 'x.png', data }, { rawFilename: 'good.png', data: photo }]);
      const answer = await rawRequest(server.url, requestHead(server.url, body.length), body);
      expect(answer.status, answer.body.slice(0, 300)).toBe(400);
      expect(errorCode(answer)).toBe('VALIDATION_ERROR');
      expect(answer.body).toContain('allowed_formats');
    }
    await expectNoTempFiles();
  });

  it('a client that disconnects mid-upload leaves no temp file, and the server keeps serving', async () => {
    const big = Buffer.concat([photo, Buffer.alloc(4 * 1024 * 1024, 1)]);
    const body = multipartBody([{ rawFilename: 'big.png', data: big }]);
    for (const cutAt of [200, 1024 * 1024, body.length - 10]) {
      const { hostname, port } = new URL(server.url);
      await new Promise<void>((resolve) => {
        const socket = connect(Number(port), hostname, () => {
          socket.write(requestHead(server.url, body.length));
          socket.write(body.subarray(0, cutAt), () => setTimeout(() => socket.destroy(), 300));
        });
        socket.on('error', () => undefined);
        socket.on('close', () => resolve());
      });
    }
    await expectNoTempFiles();
    expect((await fetch(server.api('/health'))).status).toBe(200);
  });

  const oddNames: [string, Part][] = [
    ['../ traversal', { rawFilename: '../../../etc/passwd.png', data: Buffer.alloc(0) }],
    ['../ traversal (encoded)', { encodedFilename: '..\\..\\windows\\win.ini.png', data: Buffer.alloc(0) }],
    ['a NUL byte', { encodedFilename: 'evil.png\u0000.sh', data: Buffer.alloc(0) }],
    ['CR/LF (encoded)', { encodedFilename: 'a\r\nSet-Cookie: x=1\r\n.png', data: Buffer.alloc(0) }],
    ['CR/LF (raw, breaks the part header)', { rawFilename: 'a\r\nX-Injected: 1\r\n.png', data: Buffer.alloc(0) }],
    ['1,000 characters', { rawFilename: `${'n'.repeat(996)}.png`, data: Buffer.alloc(0) }],
    ['right-to-left marks', { encodedFilename: 'photo\u202egnp.exe', data: Buffer.alloc(0) }],
    ['only dots', { rawFilename: '..', data: Buffer.alloc(0) }],
  ];

  it.each(oddNames)('a name with %s: a 200 with a safe stored name, or a clear 400; nothing outside DATA_DIR', async (_label, part) => {
    const body = multipartBody([{ ...part, data: photo }]);
    const answer = await rawRequest(server.url, requestHead(server.url, body.length), body);
    expect([200, 400], answer.body.slice(0, 300)).toContain(answer.status);
    if (answer.status === 400) {
      expect(errorCode(answer)).toBe('VALIDATION_ERROR');
    } else {
      const json = answer.body.slice(answer.body.indexOf('{'), answer.body.lastIndexOf('}') + 1);
      const { job_id } = JSON.parse(json) as { job_id: string };
      const done = await waitForJobStatus(server.api(`/status/${job_id}`), USER_KEY);
      expect(done.status).toBe('completed');
      // Every stored file is inside DATA_DIR and none is named after the client's name.
      for (const file of await listFiles(server.dataDir)) {
        const inside = relative(server.dataDir, file);
        expect(inside.startsWith('..')).toBe(false);
        expect(inside).not.toMatch(/passwd|win\.ini|evil|Set-Cookie|X-Injected|\u202e|n{50}/);
      }
      const download = await fetch(server.api(`/download/${job_id}/file_001/model`), { headers: auth(USER_KEY) });
      expect(download.status).toBe(200);
      const disposition = download.headers.get('content-disposition') ?? '';
      expect(disposition).not.toMatch(/[\r\n\0]/);
      const ascii = /filename="([^"]*)"/.exec(disposition)?.[1] ?? '';
      expect(ascii).not.toMatch(/[/\\]|\.\./);
      expect(ascii.length).toBeLessThanOrEqual(150);
      expect(ascii.endsWith('.glb')).toBe(true);
      expect(download.headers.get('set-cookie')).toBeNull();
      expect(download.headers.get('x-injected')).toBeNull();
      await download.body?.cancel();
    }
    await expectNoTempFiles();
  });
});
