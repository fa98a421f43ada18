import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FakeModelProvider } from '@image2model/core/testing';
import { ADMIN_KEY, startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch, waitForJobStatus } from '@image2model/testing/http';

/**
 * Generated garbage against every JSON endpoint: the answer is always a 4xx in the spec's error
 * body, never a 5xx, and the process keeps answering. Runs are bounded so the file stays quick.
 */
const RUNS = 40;

async function expectClientError(res: Response, label: string): Promise<void> {
  const text = await res.text();
  expect(res.status, `${label} → ${res.status} ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${label} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${label}: the error body is not JSON: ${text.slice(0, 300)}`);
  }
  expect(body, label).toEqual({ detail: { code: expect.any(String), message: expect.any(String), details: expect.any(Object) } });
  expect(Object.keys(body as object), label).toEqual(['detail']);
}

/** Any JSON value, with the keys attackers like mixed into objects. */
const nastyKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'job_id', 'file_id', 'face_limit', 'older_than_hours', '', '\u202e', '\u0000');
const nastyScalar = fc.oneof(
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -0, 0.5, 4, 200_000, 200_001, 3, -1, 1e21),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom('batch_20990101_000000_aaaaaa', 'file_001', '../../etc/passwd', '..%2F..%2F', 'ａｂｃ', '\u202etxt.exe', '9'.repeat(400)),
  fc.boolean(),
  fc.constant(null),
  fc.integer(),
  fc.double(),
);
const nastyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyScalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nastyKey, fc.string({ maxLength: 10 })), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** A body for an endpoint: its real fields with wrong values, missing fields, extra ones, or anything at all. */
function bodyFor(fields: string[]): fc.Arbitrary<string> {
  const record = fc
    .tuple(
      fc.subarray(fields),
      fc.array(nastyValue, { minLength: fields.length, maxLength: fields.length }),
      fc.dictionary(nastyKey, nastyValue, { maxKeys: 3 }),
    )
    .map(([present, values, extra]) => {
      const body: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(extra)) Object.defineProperty(body, key, { value, enumerable: true, writable: true, configurable: true });
      present.forEach((field, i) => {
        body[field] = values[i];
      });
      return JSON.stringify(body);
    });
  const raw = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.json(),
    fc.constantFrom('{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '[', '{"a":', 'null', '[]', '"x"', '1e999', '{"face_limit":1e999}'),
  );
  return fc.oneof({ weight: 3, arbitrary: record }, { weight: 1, arbitrary: raw });
}

/** Nested `depth` levels deep: `{"a":{"a":…}}` or `[[[…]]]`. */
const deeplyNested = (depth: number, array: boolean) => (array ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth));

describe('bad input on the JSON endpoints', { timeout: 120_000 }, () => {
  let server: TestServer;
  let jobId: string;
  const provider = new FakeModelProvider();

  beforeAll(async () => {
    server = await startTestServer({ provider });
    const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: await makePhoto() }] });
    jobId = ((await res.json()) as { job_id: string }).job_id;
    await waitForJobStatus(server.api(`/status/${jobId}`), USER_KEY);
  });
  afterAll(async () => {
    await server.stop();
  });

  const post = (path: string, body: string, key: string, contentType = 'application/json') =>
    fetch(server.api(path), { method: 'POST', headers: { ...auth(key), 'Content-Type': contentType }, body });

  async function expectAlive(): Promise<void> {
    const res = await fetch(server.api('/health'));
    expect(res.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }

  it('POST /models/generate-single: generated garbage is always a 4xx error body', async () => {
    await fc.assert(
      fc.asyncProperty(bodyFor(['job_id', 'file_id', 'face_limit']), async (body) => {
        // A body that happens to be a valid retry of the finished job is the one allowed 200.
        const res = await post('/models/generate-single', body, USER_KEY);
        if (res.status === 200) {
          const parsed = JSON.parse(body) as { job_id?: unknown };
          expect(parsed.job_id).toBe(jobId);
          await res.body?.cancel();
          return;
        }
        await expectClientError(res, `generate-single ${body.slice(0, 200)}`);
      }),
      { numRuns: RUNS, examples: [[JSON.stringify({ job_id: 'batch_20990101_000000_aaaaaa', file_id: 'file_001', face_limit: 1e308 })]] },
    );
    await expectAlive();
  });

  it('POST /models/generate-single with the real job id and garbage elsewhere', async () => {
    await fc.assert(
      fc.asyncProperty(nastyValue, nastyValue, async (fileId, faceLimit) => {
        fc.pre(!(fileId === 'file_001' && (faceLimit === undefined || (Number.isInteger(faceLimit) && (faceLimit as number) >= 4 && (faceLimit as number) <= 200_000))));
        const body = JSON.stringify({ job_id: jobId, file_id: fileId, face_limit: faceLimit });
        await expectClientError(await post('/models/generate-single', body, USER_KEY), `generate-single ${body.slice(0, 200)}`);
      }),
      { numRuns: RUNS },
    );
    await expectAlive();
  });

  it('POST /admin/cleanup: generated garbage is a 4xx (or a valid cleanup), never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(bodyFor(['older_than_hours']), async (body) => {
        const res = await post('/admin/cleanup', body, ADMIN_KEY);
        if (res.status === 200) {
          // Unknown fields are ignored by design (and an array counts as no options); a threshold
          // that is there must be a valid one. An empty body is the bodyless default.
          if (body === '') return void (await res.body?.cancel());
          const parsed = JSON.parse(body) as Record<string, unknown>;
          expect(typeof parsed === 'object' && parsed !== null).toBe(true);
          if (!Array.isArray(parsed) && Object.hasOwn(parsed, 'older_than_hours') && parsed.older_than_hours !== undefined) {
            expect(typeof parsed.older_than_hours === 'number' && parsed.older_than_hours >= 0, body).toBe(true);
          }
          expect(await res.json()).toEqual({ cleaned_files: expect.any(Number), freed_space_mb: expect.any(Number) });
          return;
        }
        await expectClientError(res, `cleanup ${body.slice(0, 200)}`);
      }),
      { numRuns: RUNS },
    );
    await expectAlive();
  });

  it('GET /status/{id}: any id is a 4xx error body, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }), fc.constantFrom('..%2F..%2Fetc%2Fpasswd', '%00', '%E2%80%AE', 'a'.repeat(5000), '__proto__', 'constructor')), async (id) => {
        const path = /%[0-9A-F]{2}/.test(id) ? id : encodeURIComponent(id);
        const res = await fetch(server.api(`/status/${path}`), { headers: auth(USER_KEY) });
        await expectClientError(res, `status ${JSON.stringify(id).slice(0, 200)}`);
      }),
      { numRuns: RUNS },
    );
    await expectAlive();
  });

  it('GET /logs: any query is a 200 or a 4xx error body, never a 5xx', async () => {
    const param = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), nastyScalar.map(String));
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.oneof(fc.constantFrom('lines', 'level', 'since', '__proto__', 'constructor', 'lines[]'), fc.string({ maxLength: 8 })), param, { maxKeys: 4 }),
        async (query) => {
          const qs = Object.entries(query)
            .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
            .join('&');
          const res = await fetch(server.api(`/logs?${qs}`), { headers: auth(ADMIN_KEY) });
          if (res.status === 200) {
            expect(await res.json()).toMatchObject({ logs: expect.any(Array), total_lines: expect.any(Number) });
            return;
          }
          await expectClientError(res, `logs ?${qs.slice(0, 200)}`);
        },
      ),
      { numRuns: RUNS },
    );
    await expectAlive();
  });

  // cleanupMay200: the body is an object whose unknown fields /admin/cleanup ignores by design.
  it.each([
    ['a 10 MB body', () => JSON.stringify({ job_id: 'x'.repeat(10 * 1024 * 1024) }), false],
    ['objects nested 10,000 deep', () => deeplyNested(10_000, false), false],
    ['arrays nested 100,000 deep', () => deeplyNested(100_000, true), false],
    ['a prototype-pollution payload', () => '{"__proto__":{"isAdmin":true,"polluted":1},"constructor":{"prototype":{"polluted":1}},"job_id":"a","file_id":"b"}', true],
    ['a huge number', () => `{"job_id":"${'9'.repeat(1000)}","file_id":1e400,"face_limit":${'9'.repeat(5000)}}`, true],
    ['a huge threshold', () => `{"older_than_hours":1e400,"job_id":1}`, false],
    ['invalid UTF-8', () => Buffer.from([0x7b, 0x22, 0x6a, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]).toString('latin1'), true],
  ])('hand-picked: %s is a 4xx error body on every JSON POST', async (label, make, cleanupMay200) => {
    const body = make();
    await expectClientError(await post('/models/generate-single', body, USER_KEY), `${label} → generate-single`);
    const cleanup = await post('/admin/cleanup', body, ADMIN_KEY);
    if (cleanupMay200 && cleanup.status === 200) await cleanup.body?.cancel();
    else await expectClientError(cleanup, `${label} → cleanup`);
    await expectAlive();
  });

  it('hand-picked: a wrong content type and a bare string are 4xx error bodies', async () => {
    for (const [body, type] of [
      ['job_id=a&file_id=b', 'application/x-www-form-urlencoded'],
      ['<xml/>', 'text/xml'],
      ['"just a string"', 'application/json'],
    ] as const) {
      for (const [path, key] of [
        ['/models/generate-single', USER_KEY],
        ['/admin/cleanup', ADMIN_KEY],
      ] as const) {
        await expectClientError(await post(path, body, key, type), `${type} ${body} → ${path}`);
      }
    }
    await expectClientError(await post('/models/generate-single', '{"job_id":"a"}', USER_KEY, 'application/json; charset=utf-7'), 'utf-7 → generate-single');
    await expectAlive();
  });
});
