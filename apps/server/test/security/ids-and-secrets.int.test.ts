import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { ADMIN_KEY, OTHER_USER_KEY, startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';

const WRONG_KEY = 'wrong-secret-key-9f8e7d6c';

describe('ids in paths, secrets, headers and CORS', { timeout: 120_000 }, () => {
  let server: TestServer;
  let jobId: string;
  let sessionId: string;
  /** Every body the service answered in this file: keys must never appear in any of them. */
  const answered: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { LOG_LEVEL: 'trace' } });
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: await makePhoto() }], fields: { api_key: USER_KEY } });
    const body = (await res.json()) as { job_id: string; session_id: string };
    jobId = body.job_id;
    sessionId = body.session_id;
    await waitForJobStatus(server.api(`/status/${jobId}`), USER_KEY);
  });
  afterAll(async () => {
    await server.stop();
  });

  const get = async (path: string, key: string) => {
    const res = await fetch(server.api(path), { headers: auth(key) });
    const text = await res.text();
    answered.push(text);
    return { status: res.status, text, headers: res.headers };
  };

  const routes = (id: string) => [`/status/${id}`, `/status/stream/${id}`, `/download/${id}/all`, `/download/${id}/file_001/model`, `/download/${id}/file_001/preview`];
  // [label, id as sent in the path, statuses allowed]
  const hostileIds: [string, string, number[]][] = [
    ['..%2F..%2F..%2Fetc%2Fpasswd', '..%2F..%2F..%2Fetc%2Fpasswd', [404]],
    ['..%2F', '..%2F', [404]],
    ['..%5C..%5Cwindows', '..%5C..%5Cwindows', [404]],
    ['%00', '%00', [404]],
    ['a NUL then .json', 'batch_20990101_000000_aaaaaa%00.json', [404]],
    ['5,000 characters', 'b'.repeat(5000), [404]],
    ['fullwidth unicode', encodeURIComponent('ｂａｔｃｈ_２０２６'), [404]],
    ['a right-to-left mark', encodeURIComponent('batch_\u202e_evil'), [404]],
    ['double-encoded ../', '%252e%252e%252f', [404]],
  ];

  it.each(hostileIds)('id %s is a 404 (no hint) on every route that takes one', async (_label, id, allowed) => {
    for (const path of routes(id)) {
      const { status, text } = await get(path, USER_KEY);
      expect(allowed, `${path.slice(0, 80)} → ${status} ${text.slice(0, 200)}`).toContain(status);
      const body = JSON.parse(text) as { detail: { code: string } };
      expect(body).toEqual({ detail: { code: expect.any(String), message: expect.any(String), details: expect.any(Object) } });
      expect(body.detail.code).toBe(status === 404 ? 'NOT_FOUND' : 'VALIDATION_ERROR');
      expect(text).not.toMatch(/root:|\/etc\/|ENOENT|stack|[A-Z]:\\/);
    }
    expect((await fetch(server.api('/health'))).status).toBe(200);
  });

  it("another owner's valid id answers exactly like an id that does not exist", async () => {
    const missing = 'batch_20990101_000000_zzzzzz';
    for (const [mine, unknown] of routes(jobId).map((path, i) => [path, routes(missing)[i] as string] as const)) {
      const other = await get(mine, OTHER_USER_KEY);
      const none = await get(unknown, OTHER_USER_KEY);
      expect(other.status, mine).toBe(404);
      expect(other.text.replaceAll(jobId, '<id>'), mine).toBe(none.text.replaceAll(missing, '<id>'));
      // A wrong session id gives nothing away either.
      const wrongSession = await fetch(server.api(`${mine}?session_id=sess_${'A'.repeat(22)}`));
      expect(wrongSession.status, mine).toBe(404);
      answered.push(await wrongSession.text());
    }
    const generate = await fetch(server.api('/models/generate-single'), {
      method: 'POST',
      headers: { ...auth(OTHER_USER_KEY), 'Content-Type': 'application/json' },
      body: JSON.stringify({ job_id: jobId, file_id: 'file_001' }),
    });
    expect(generate.status).toBe(404);
    answered.push(await generate.text());
  });

  it('an API key sent in the header, the query and the body never appears in logs, /logs or answers (LOG_LEVEL=trace)', async () => {
    const keys = [USER_KEY, OTHER_USER_KEY, ADMIN_KEY, WRONG_KEY];
    for (const key of keys) {
      await get(`/status/${jobId}?api_key=${key}&key=${key}&token=${key}`, key);
      await get(`/status/${jobId}?session_id=${sessionId}&api_key=${key}`, WRONG_KEY);
      await get(`/logs?lines=5&api_key=${key}`, key);
      for (const [path, body] of [
        ['/models/generate-single', { job_id: jobId, file_id: 'file_001', api_key: key, authorization: `Bearer ${key}` }],
        ['/admin/cleanup', { older_than_hours: 1000, api_key: key }],
        ['/admin/cleanup', `{"api_key":"${key}",`],
      ] as const) {
        const res = await fetch(server.api(path), {
          method: 'POST',
          headers: { ...auth(key), 'Content-Type': 'application/json', 'X-Api-Key': key, Cookie: `api_key=${key}` },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        });
        answered.push(await res.text());
      }
      const upload = await uploadBatch(server.api('/upload/batch'), { key, files: [{ name: 'bad.png', data: Buffer.from('not an image') }], fields: { api_key: key } });
      answered.push(await upload.text());
    }
    // A wrong key at the most verbose level is still only a 401.
    const wrong = await get('/admin/system-info', WRONG_KEY);
    expect(wrong.status).toBe(401);
    const logs = await get('/logs?lines=10000&level=DEBUG', ADMIN_KEY);
    expect(logs.status).toBe(200);
    expect(server.logLines.length).toBeGreaterThan(20);
    const everything = [...server.logLines, ...answered].join('\n');
    for (const key of keys) expect(everything.includes(key), `${key} leaked`).toBe(false);
  });

  it('answers with the security headers (helmet) and no x-powered-by', async () => {
    for (const path of ['/health', `/status/${jobId}`, '/status/nope']) {
      const res = await fetch(server.api(path), { headers: auth(USER_KEY) });
      await res.body?.cancel();
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
      expect(res.headers.get('content-security-policy'), path).toContain("default-src 'self'");
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('strict-transport-security'), path).toMatch(/max-age=\d+/);
      expect(res.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(res.headers.get('x-powered-by'), path).toBeNull();
    }
  });

  it('CORS is closed by default: no Access-Control-Allow-Origin, for a request or a preflight', async () => {
    const simple = await fetch(server.api('/health'), { headers: { Origin: 'https://evil.example' } });
    await simple.body?.cancel();
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(server.api('/upload/batch'), {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
    });
    await preflight.body?.cancel();
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
  });

  it('CORS_ORIGINS opens it to exactly the listed origins', async () => {
    const open = await startTestServer({ provider: new FakeModelProvider(), env: { CORS_ORIGINS: 'https://app.example, https://other.example' } });
    try {
      const allowed = await fetch(open.api('/health'), { headers: { Origin: 'https://app.example' } });
      await allowed.body?.cancel();
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(allowed.headers.get('access-control-expose-headers')).toContain('X-RateLimit-Remaining');
      const preflight = await fetch(open.api('/upload/batch'), {
        method: 'OPTIONS',
        headers: { Origin: 'https://other.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
      });
      await preflight.body?.cancel();
      expect(preflight.status).toBeLessThan(300);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://other.example');
      const denied = await fetch(open.api('/health'), { headers: { Origin: 'https://evil.example' } });
      await denied.body?.cancel();
      expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await open.stop();
    }
  });
});
