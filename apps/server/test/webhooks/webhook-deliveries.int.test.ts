import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GONE_REASON, type WebhookOutbox } from '@image2model/core';
import { FakeModelProvider } from '@image2model/core/testing';
import { OTHER_USER_KEY, startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { makePhoto } from '@image2model/testing/images';
import { auth, uploadBatch } from '@image2model/testing/http';
import { connectRedis, deleteKeys, newPrefix, requireRedis, TEST_REDIS_URL } from '@image2model/testing/redis';

const redisUp = await requireRedis();
const UNKNOWN_JOB = 'batch_20990101_000000_zzzzzz';
/** Public addresses written as such: accepted without a DNS server. */
const HOOK = 'https://93.184.216.34/hooks/i2m';
const OTHER_HOOK = 'https://93.184.216.35/hooks/other';

interface Delivery {
  id: string;
  type: string;
  file_id: string | null;
  url: string;
  state: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
}

/**
 * The delivery routes over HTTP, REST and tRPC. Sending is not this test's subject: the deliveries
 * are queued straight into the server's own outbox (`runtime.webhookOutbox`, the one the routes
 * read), and one of them is stopped with the outbox's 410 rule to have exhausted ones to redeliver.
 */
function describeDeliveryRoutes(mode: 'embedded' | 'distributed') {
  describe.skipIf(mode === 'distributed' && !redisUp)(`a job's webhook deliveries (${mode}, over HTTP)`, () => {
    let server: TestServer;
    let outbox: WebhookOutbox;
    let jobId: string;
    let sessionId: string;
    const prefix = newPrefix();
    const evt = (n: number) => `evt_${String(n).padStart(32, '0')}`;
    const body = (type: string, data: object) => JSON.stringify({ id: 'seeded', type, created_at: new Date().toISOString(), data });
    const get = (path: string, key: string | null = USER_KEY) => fetch(server.api(path), { headers: key ? auth(key) : {} });
    const post = (path: string, key: string | null = USER_KEY, payload: unknown = {}) =>
      fetch(server.api(path), { method: 'POST', headers: { ...(key ? auth(key) : {}), 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
    const deliveries = async () => ((await (await get(`/jobs/${jobId}/webhooks`)).json()) as { deliveries: Delivery[] }).deliveries;

    beforeAll(async () => {
      const env: Record<string, string> = { PUBLIC_URL: 'https://i2m.example.com', ...(mode === 'distributed' ? { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix } : {}) };
      server = await startTestServer({ provider: new FakeModelProvider(), env });
      outbox = server.runtime.webhookOutbox;
      const res = await uploadBatch(server.api('/upload/batch'), { key: USER_KEY, files: [{ name: 'a.png', data: await makePhoto() }, { name: 'b.png', data: await makePhoto() }] });
      ({ job_id: jobId, session_id: sessionId } = (await res.json()) as { job_id: string; session_id: string });
      await outbox.enqueue({ id: evt(1), job_id: jobId, type: 'file.completed', url: HOOK, body: body('file.completed', { job_id: jobId, file_id: 'file_001' }) });
      await outbox.enqueue({ id: evt(2), job_id: jobId, type: 'file.failed', url: HOOK, body: body('file.failed', { job_id: jobId, file_id: 'file_002' }) });
      await outbox.enqueue({ id: evt(3), job_id: jobId, type: 'job.finished', url: OTHER_HOOK, body: body('job.finished', { job_id: jobId, status: 'partial' }) });
      // The receiver at HOOK answered 410: its two deliveries are exhausted, the other stays pending.
      expect(await outbox.markGone(jobId, HOOK)).toBe(2);
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
      if (mode === 'distributed') {
        const redis = await connectRedis();
        await deleteKeys(redis, prefix);
        redis.disconnect();
      }
    });

    it('lists every delivery in the order queued, with its state and last outcome, and never a body', async () => {
      const res = await get(`/jobs/${jobId}/webhooks`);
      expect(res.status).toBe(200);
      const listed = (await res.json()) as { job_id: string; deliveries: Record<string, unknown>[] };
      expect(listed.job_id).toBe(jobId);
      expect(listed.deliveries.map((d) => [d.id, d.type, d.file_id, d.url])).toEqual([
        [evt(1), 'file.completed', 'file_001', HOOK],
        [evt(2), 'file.failed', 'file_002', HOOK],
        [evt(3), 'job.finished', null, OTHER_HOOK],
      ]);
      for (const delivery of listed.deliveries) {
        expect(Object.keys(delivery).sort()).toEqual(
          ['id', 'type', 'file_id', 'url', 'state', 'attempts', 'last_status', 'last_error', 'last_duration_ms', 'next_attempt_at', 'created_at', 'updated_at'].sort(),
        );
        expect(Number.isNaN(Date.parse(String(delivery.created_at)))).toBe(false);
      }
      expect(listed.deliveries.slice(0, 2).map((d) => [d.state, d.last_error, d.next_attempt_at])).toEqual([
        ['exhausted', GONE_REASON, null],
        ['exhausted', GONE_REASON, null],
      ]);
      expect(listed.deliveries[2]?.state).toBe('pending');
    });

    it("answers another key's job and an unknown one alike (404 NOT_FOUND), and needs a key, not the session_id", async () => {
      const unknown = await get(`/jobs/${UNKNOWN_JOB}/webhooks`);
      expect(unknown.status).toBe(404);
      const unknownBody = (await unknown.json()) as { detail: { code: string } };
      expect(unknownBody.detail.code).toBe('NOT_FOUND');
      const others = await get(`/jobs/${jobId}/webhooks`, OTHER_USER_KEY);
      expect([others.status, await others.json()]).toEqual([404, unknownBody]);
      const otherRedeliver = await post(`/jobs/${jobId}/webhooks/redeliver`, OTHER_USER_KEY);
      expect([otherRedeliver.status, await otherRedeliver.json()]).toEqual([404, unknownBody]);

      for (const res of [await get(`/jobs/${jobId}/webhooks?session_id=${sessionId}`, null), await post(`/jobs/${jobId}/webhooks/redeliver`, null)]) {
        expect(res.status).toBe(401);
        expect(((await res.json()) as { detail: { code: string } }).detail.code).toBe('AUTHENTICATION_REQUIRED');
      }
      // Nothing above redelivered anything.
      expect((await deliveries()).filter((d) => d.state === 'exhausted')).toHaveLength(2);
    });

    it('redelivers the exhausted deliveries (pending again, attempts from 0) and answers how many; again, 0', async () => {
      const first = await post(`/jobs/${jobId}/webhooks/redeliver`);
      expect(first.status).toBe(200);
      expect(await first.json()).toEqual({ job_id: jobId, redelivered: 2 });
      const after = await deliveries();
      expect(after.map((d) => d.state)).toEqual(['pending', 'pending', 'pending']);
      expect(after.slice(0, 2).every((d) => d.next_attempt_at !== null)).toBe(true);

      const again = await post(`/jobs/${jobId}/webhooks/redeliver`);
      expect(await again.json()).toEqual({ job_id: jobId, redelivered: 0 });
    });

    it('serves both on /trpc too: jobs.webhooks and jobs.redeliverWebhooks, with the same access rule', async () => {
      const input = (value: unknown) => encodeURIComponent(JSON.stringify({ json: value }));
      const listed = await fetch(`${server.url}/trpc/jobs.webhooks?input=${input({ job_id: jobId })}`, { headers: auth(USER_KEY) });
      expect(listed.status).toBe(200);
      const data = ((await listed.json()) as { result: { data: { json: { job_id: string; deliveries: Delivery[] } } } }).result.data.json;
      expect(data.deliveries.map((d) => d.id)).toEqual([evt(1), evt(2), evt(3)]);

      await outbox.markGone(jobId, OTHER_HOOK);
      const redeliver = (key: string) =>
        fetch(`${server.url}/trpc/jobs.redeliverWebhooks`, { method: 'POST', headers: { ...auth(key), 'Content-Type': 'application/json' }, body: JSON.stringify({ json: { job_id: jobId } }) });
      const refused = await redeliver(OTHER_USER_KEY);
      expect(refused.status).toBe(404);
      expect(((await refused.json()) as { error: { json: { data: { appCode: string } } } }).error.json.data.appCode).toBe('NOT_FOUND');
      const answered = await redeliver(USER_KEY);
      expect(answered.status).toBe(200);
      expect(((await answered.json()) as { result: { data: { json: unknown } } }).result.data.json).toEqual({ job_id: jobId, redelivered: 1 });
    });
  });
}

describeDeliveryRoutes('embedded');
describeDeliveryRoutes('distributed');
