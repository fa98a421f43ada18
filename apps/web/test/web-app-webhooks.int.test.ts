import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImage2ModelClient, type Image2ModelClient } from '@image2model/client';
import { FakeModelProvider } from '@image2model/core/testing';
import { makePhoto } from '@image2model/testing/images';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { assertBrowserInCi, HAS_CHROMIUM, openBrowser } from './support/browser.js';
import { photos, POLL, saveKey } from './support/page.js';

assertBrowserInCi();
/** Public addresses written as such: accepted without a DNS server. */
const HOOK = 'https://93.184.216.34/hooks/i2m';
const OTHER_HOOK = 'https://93.184.216.35/hooks/other';
const PHONE = { width: 390, height: 844 };

describe.skipIf(!HAS_CHROMIUM)('the web app and webhooks', () => {
  let server: TestServer;
  let client: Image2ModelClient;

  beforeAll(async () => {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { PUBLIC_URL: 'https://i2m.example.com' } });
    client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
  });
  afterAll(() => server?.stop());

  it('sends the optional webhook URL with the upload, and shows a refused one next to its field', { timeout: 120_000 }, async () => {
    const browser = await openBrowser(server.url);
    try {
      const { page } = browser;
      await page.goto(server.url);
      await saveKey(page, USER_KEY);
      await page.setInputFiles('#file-input', await photos(1));
      const field = page.getByLabel('Webhook URL (optional)');
      await field.fill('http://93.184.216.34/hook');
      await page.getByRole('button', { name: 'Make 3D models' }).click();
      await expect.poll(() => page.locator('#webhook-error').textContent(), POLL).toBe('webhook_url must use https://');
      expect(await field.getAttribute('aria-invalid')).toBe('true');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('webhook-url');
      expect(await page.locator('#upload-error').textContent()).toBe('');
      expect(await page.locator('#batch').isHidden()).toBe(true);

      // Typing clears the complaint; an https:// URL on a public host is taken.
      await field.fill(HOOK);
      expect(await page.locator('#webhook-error').textContent()).toBe('');
      await page.getByRole('button', { name: 'Make 3D models' }).click();
      await expect.poll(() => page.locator('#batch').isVisible(), POLL).toBe(true);
      const jobId = new URL(page.url()).searchParams.get('job') ?? '';
      expect((await client.status.get.query({ job_id: jobId })).webhook_url).toBe(HOOK);
      // The browser logs the refused upload's answer; nothing else went wrong.
      expect(browser.errors.filter((line) => !/status of 400/.test(line))).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it("on a phone: shows a batch's delivery log to its key, and Redeliver queues the exhausted deliveries again", { timeout: 120_000 }, async () => {
    const { job_id: jobId, session_id: sessionId } = await client.upload([await makePhoto()]);
    await client.waitForJob(jobId);
    // Sending is not the page's business: deliveries are queued straight into the server's outbox,
    // and both receivers "answered 410", which exhausts their deliveries (nothing is left for a
    // dispatcher to attempt meanwhile).
    const outbox = server.runtime.webhookOutbox;
    const body = (type: string, data: object) => JSON.stringify({ id: 'seeded', type, created_at: new Date().toISOString(), data });
    await outbox.enqueue({ id: `evt_${'1'.repeat(32)}`, job_id: jobId, type: 'file.completed', url: HOOK, body: body('file.completed', { job_id: jobId, file_id: 'file_001' }) });
    await outbox.enqueue({ id: `evt_${'2'.repeat(32)}`, job_id: jobId, type: 'job.finished', url: OTHER_HOOK, body: body('job.finished', { job_id: jobId }) });
    await outbox.markGone(jobId, HOOK);
    await outbox.markGone(jobId, OTHER_HOOK);

    const browser = await openBrowser(server.url, { viewport: PHONE });
    try {
      const { page } = browser;
      const log = page.locator('#webhooks');
      const rows = () => page.locator('#webhooks-rows tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      // The batch link alone (its session id, no key) shows the batch but not its deliveries: they are the key's.
      await page.goto(`${server.url}/?job=${jobId}&session=${sessionId}`);
      await expect.poll(() => page.locator('li.file').count(), POLL).toBe(1);
      expect(await log.isHidden()).toBe(true);

      await saveKey(page, USER_KEY);
      await expect.poll(() => log.isVisible(), POLL).toBe(true);
      expect(await page.getByRole('table', { name: 'Webhook deliveries' }).isVisible()).toBe(true);
      const before = await rows();
      // The table scrolls in its own box: the page keeps to the phone's width.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      const gone = 'the receiver answered 410 Gone: no more deliveries of this job to this URL';
      expect(before).toEqual([
        ['file.completed (file_001)', 'exhausted', '0', gone, '—'],
        ['job.finished', 'exhausted', '0', gone, '—'],
      ]);

      await page.getByRole('button', { name: 'Redeliver (2)' }).click();
      await expect.poll(() => page.locator('#webhooks-message').textContent(), POLL).toBe('Queued 2 deliveries again.');
      await expect.poll(async () => (await rows()).map((cells) => cells[1]), POLL).toEqual(['pending', 'pending']);
      // Each has its next attempt now.
      expect((await rows()).map((cells) => cells[4] !== '—')).toEqual([true, true]);
      expect(await page.getByRole('button', { name: /^Redeliver/ }).isHidden()).toBe(true);
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
