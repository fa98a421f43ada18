import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { makePhoto } from '@image2model/testing/images';
import { startTestServer, USER_KEY, OTHER_USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { createImage2ModelClient, Image2ModelError, type Image2ModelClient, type WebhookDelivery } from './index.js';

/** Public addresses written as such: accepted without a DNS server. */
const HOOK = 'https://93.184.216.34/hooks/i2m';
const OTHER_HOOK = 'https://93.184.216.35/hooks/other';

describe('webhooks through the typed client, against a real server', () => {
  let server: TestServer;
  let client: Image2ModelClient;
  let provider: FakeModelProvider;
  beforeAll(async () => {
    provider = new FakeModelProvider();
    server = await startTestServer({ provider, env: { PUBLIC_URL: 'https://i2m.example.com' } });
    client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
  });
  afterAll(async () => {
    provider?.release();
    await server?.stop();
  });

  it('sends webhookUrl as the upload\'s webhook_url, and generateSingle and retry replace it', async () => {
    const { job_id } = await client.upload([await makePhoto()], { webhookUrl: HOOK });
    const job = await client.waitForJob(job_id);
    expect(job.webhook_url).toBe(HOOK);
    await client.models.generateSingle.mutate({ job_id, file_id: 'file_001', webhook_url: OTHER_HOOK });
    expect((await client.waitForJob(job_id)).webhook_url).toBe(OTHER_HOOK);
    // A cancelled file to retry: held while it generates, so the cancel meets it running.
    provider.hold();
    await client.models.generateSingle.mutate({ job_id, file_id: 'file_001' });
    await client.jobs.cancel.mutate({ job_id });
    provider.release();
    await client.jobs.retry.mutate({ job_id, webhook_url: HOOK });
    expect((await client.waitForJob(job_id)).webhook_url).toBe(HOOK);
  });

  it('reports a webhook URL the server refuses as VALIDATION_ERROR naming the field, and creates no job', async () => {
    const jobsBefore = (await client.jobs.list.query({})).jobs.length;
    const refused = await client.upload([await makePhoto()], { webhookUrl: 'http://93.184.216.34/hook' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Image2ModelError);
    expect(refused).toMatchObject({ code: 'VALIDATION_ERROR', status: 400, details: { field: 'webhook_url', reason: 'must use https://' } });
    expect((await client.jobs.list.query({})).jobs).toHaveLength(jobsBefore);
  });

  it("lists a job's deliveries and redelivers the exhausted ones; another key's job is NOT_FOUND", async () => {
    const { job_id } = await client.upload([await makePhoto()]);
    // Sending is not the client's business: deliveries are queued straight into the server's outbox.
    const outbox = server.runtime.webhookOutbox;
    const body = JSON.stringify({ id: 'evt', type: 'file.completed', created_at: new Date().toISOString(), data: { job_id, file_id: 'file_001' } });
    await outbox.enqueue({ id: `evt_${'a'.repeat(32)}`, job_id, type: 'file.completed', url: HOOK, body });
    await outbox.markGone(job_id, HOOK);

    const listed = await client.jobs.webhooks.query({ job_id });
    const delivery: WebhookDelivery | undefined = listed.deliveries[0];
    expect(listed.deliveries).toHaveLength(1);
    expect(delivery).toMatchObject({ id: `evt_${'a'.repeat(32)}`, type: 'file.completed', file_id: 'file_001', url: HOOK, state: 'exhausted', attempts: 0 });
    expect(await client.jobs.redeliverWebhooks.mutate({ job_id })).toEqual({ job_id, redelivered: 1 });
    expect((await client.jobs.webhooks.query({ job_id })).deliveries[0]?.state).toBe('pending');

    const other = createImage2ModelClient({ baseUrl: server.url, apiKey: OTHER_USER_KEY });
    for (const call of [other.jobs.webhooks.query({ job_id }), other.jobs.redeliverWebhooks.mutate({ job_id })]) {
      expect(await call.catch((error: unknown) => error)).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    }
  });
});
