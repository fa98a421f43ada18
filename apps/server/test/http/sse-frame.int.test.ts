import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { openRawClient } from '@image2model/testing/raw-socket';
import { uploadBatch } from '@image2model/testing/http';

/** Decodes a `Transfer-Encoding: chunked` body strictly: a malformed chunk throws. */
function dechunk(body: string): string {
  let rest = body;
  let out = '';
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd < 0) throw new Error(`no chunk size line in ${JSON.stringify(rest.slice(0, 40))}`);
    const size = Number.parseInt(rest.slice(0, lineEnd), 16);
    if (!Number.isFinite(size)) throw new Error(`bad chunk size ${JSON.stringify(rest.slice(0, lineEnd))}`);
    if (size === 0) return out;
    const data = rest.slice(lineEnd + 2, lineEnd + 2 + size);
    if (rest.slice(lineEnd + 2 + size, lineEnd + 4 + size) !== '\r\n') throw new Error('chunk not followed by CRLF');
    out += data;
    rest = rest.slice(lineEnd + 4 + size);
  }
}

/**
 * Event frames go straight to the socket with chunk framing built once per event: what a client
 * reads must still be a well-formed HTTP/1.1 chunked body, or a plain body for HTTP/1.0.
 */
describe('event stream bytes on the wire', () => {
  let server: TestServer;
  let jobId: string;

  beforeAll(async () => {
    server = await startTestServer({ provider: new FakeModelProvider({ progressSteps: [50] }) });
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: await makePhoto() }, { name: 'b.png', data: await makePhoto() }] });
    jobId = ((await res.json()) as { job_id: string }).job_id;
  });
  afterAll(() => server.stop());

  async function rawStream(version: '1.0' | '1.1') {
    const client = await openRawClient(server.url);
    client.socket.write(`GET /api/v1/status/stream/${jobId} HTTP/${version}\r\nHost: x\r\nAuthorization: Bearer ${USER_KEY}\r\n\r\n`);
    await client.closed;
    const text = client.received();
    const split = text.indexOf('\r\n\r\n');
    return { head: text.slice(0, split), body: text.slice(split + 4) };
  }

  function expectWholeStream(body: string) {
    expect(body.startsWith('retry: 2000\n\n')).toBe(true);
    const frames = body.split('\n\n').filter((frame) => frame.startsWith('id: '));
    const types = frames.map((frame) => (JSON.parse(frame.split('data: ')[1] ?? '{}') as { type: string }).type);
    expect(types.filter((t) => t === 'completed')).toHaveLength(2);
    expect(types.at(-1)).toBe('done');
  }

  it('HTTP/1.1: a valid chunked body holding every frame up to done', async () => {
    const { head, body } = await rawStream('1.1');
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(head.toLowerCase()).toContain('transfer-encoding: chunked');
    expectWholeStream(dechunk(body));
  });

  it('HTTP/1.0: the frames as a plain body, closed at done', async () => {
    const { head, body } = await rawStream('1.0');
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(head.toLowerCase()).not.toContain('transfer-encoding');
    expectWholeStream(body);
  });

  it('HEAD: the headers and nothing else, so the connection stays well-formed', async () => {
    const client = await openRawClient(server.url);
    client.socket.write(`HEAD /api/v1/status/stream/${jobId} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${USER_KEY}\r\nConnection: close\r\n\r\n`);
    await client.closed;
    const text = client.received();
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text.toLowerCase()).toContain('content-type: text/event-stream');
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    expect(text).not.toContain('id: ');
  });
});
