import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { openRawClient, trickle } from '@image2model/testing/raw-socket';
import { waitFor } from '@image2model/testing/http';

/**
 * Node checks header and request deadlines on a timer (`connectionsCheckingInterval`, which the
 * server sets to 5 s instead of Node's 30 s), so a slow client is cut between its deadline and 5 s
 * later. The bounds below allow that plus slack for a loaded 2-core machine.
 */
const CHECK_INTERVAL_MS = 5_000;
const SLACK_MS = 10_000;
/** Far more sockets than a small server has workers: none of them may hold it. */
const ATTACKERS = 200;

const health = async (server: TestServer) => (await fetch(server.api('/health'), { signal: AbortSignal.timeout(10_000) })).status;

describe('slow and oversized clients', { timeout: 180_000 }, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ provider: new FakeModelProvider() });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('the server has finite header and request deadlines', () => {
    expect(server.server.headersTimeout).toBeGreaterThan(0);
    expect(server.server.headersTimeout).toBeLessThanOrEqual(60_000);
    expect(server.server.requestTimeout).toBeGreaterThan(0);
    expect(server.server.requestTimeout).toBeLessThanOrEqual(15 * 60_000);
  });

  it.each([
    ['one 20 KiB header', `X-Big: ${'b'.repeat(20 * 1024)}\r\n`],
    ['300 headers of 80 bytes', Array.from({ length: 300 }, (_, i) => `X-H${i}: ${'c'.repeat(72)}\r\n`).join('')],
  ])('%s: 431 and the connection is closed; the server keeps serving', async (_label, headers) => {
    const client = await openRawClient(server.url);
    client.socket.write(`GET /api/v1/health HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${USER_KEY}\r\n${headers}\r\n`);
    const close = await client.closed;
    expect(close.byServer).toBe(true);
    expect(client.received()).toMatch(/^HTTP\/1\.1 431 /);
    expect(await health(server)).toBe(200);
  });

  // The two long waits overlap: each holds its own sockets.
  it.concurrent(`slowloris: ${ATTACKERS} clients that never finish their headers are cut off at headersTimeout while others are served`, async () => {
    const { headersTimeout } = server.server;
    const attackers = await Promise.all(Array.from({ length: ATTACKERS }, () => openRawClient(server.url)));
    // Half send a request line and then one header byte a second; half send nothing at all.
    const trickling = attackers.slice(0, ATTACKERS / 2).map((client) => trickle(client, `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(500)}`, 1000));

    // While they hold their sockets, ordinary requests are answered.
    for (let i = 0; i < 10; i++) {
      expect(await health(server)).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    const closes = await Promise.all(attackers.map((client) => client.closed));
    await Promise.all(trickling);
    for (const [i, close] of closes.entries()) {
      expect(close.byServer, `attacker ${i}`).toBe(true);
      expect(close.atMs, `attacker ${i}`).toBeLessThan(headersTimeout + CHECK_INTERVAL_MS + SLACK_MS);
    }
    // Those that started a request were told why.
    for (const client of attackers.slice(0, ATTACKERS / 2)) expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(await health(server)).toBe(200);
  });

  it.concurrent('a request body that trickles forever is cut off at requestTimeout, leaves no temp file, and others are still served', async () => {
    // The production requestTimeout is 10 minutes (uploads of up to MAX_FILES × MAX_FILE_SIZE_MB on a
    // slow line); the mechanism is the same at 3 s, which a test can wait for. Node uses the larger
    // of the two deadlines for whole requests, so headersTimeout comes down with it, on a server of
    // this test's own.
    const REQUEST_TIMEOUT_MS = 3_000;
    const own = await startTestServer({ provider: new FakeModelProvider() });
    own.server.requestTimeout = REQUEST_TIMEOUT_MS;
    own.server.headersTimeout = REQUEST_TIMEOUT_MS;
    try {
      const boundary = 'trickleBoundary';
      const client = await openRawClient(own.url);
      client.socket.write(
        [
          'POST /api/v1/upload/batch HTTP/1.1',
          'Host: x',
          `Authorization: Bearer ${USER_KEY}`,
          `Content-Type: multipart/form-data; boundary=${boundary}`,
          `Content-Length: ${1024 * 1024}`,
          '',
          `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="slow.png"\r\nContent-Type: image/png\r\n\r\n`,
        ].join('\r\n'),
      );
      const sending = trickle(client, Buffer.alloc(1024 * 1024, 0x42), 250);
      const uploadTempDir = join(own.dataDir, 'tmp', 'uploads');
      // multer opens its temp file once the first bytes of the part arrive.
      await waitFor(async () => ((await readdir(uploadTempDir)).length > 0 ? true : undefined), { what: 'the upload temp file' });
      expect(await health(own)).toBe(200);

      const close = await client.closed;
      await sending;
      expect(close.byServer).toBe(true);
      expect(close.atMs).toBeLessThan(REQUEST_TIMEOUT_MS + CHECK_INTERVAL_MS + SLACK_MS);
      expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
      await waitFor(async () => ((await readdir(uploadTempDir)).length === 0 ? true : undefined), { what: 'the temp dir to be empty' });
      expect(await health(own)).toBe(200);
    } finally {
      await own.stop();
    }
  });
});
