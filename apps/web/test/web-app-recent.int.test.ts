import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImage2ModelClient, type Image2ModelClient } from '@image2model/client';
import { AppError } from '@image2model/core';
import { createProvider, parseEnv } from '@image2model/server';
import { OTHER_USER_KEY, startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { RECENT_PAGE_SIZE } from '../src/recent-batch-text.js';
import { assertBrowserInCi, HAS_CHROMIUM, openBrowser } from './support/browser.js';
import { GatedProvider } from './support/gated-provider.js';
import { photos, POLL, saveKey, waitForFiles } from './support/page.js';

assertBrowserInCi();
const PHONE = { width: 390, height: 844 };
const MINUTE = 60_000;

describe.skipIf(!HAS_CHROMIUM)('the web app listing the key’s recent batches', () => {
  let server: TestServer;
  let provider: GatedProvider;
  let client: Image2ModelClient;

  beforeAll(async () => {
    provider = new GatedProvider(await createProvider(parseEnv({})));
    // One file generates at a time: a held file keeps its batch running and the others waiting.
    server = await startTestServer({ provider, env: { WORKER_CONCURRENCY: '1' } });
    client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
  });
  afterAll(async () => {
    provider?.release();
    await server?.stop();
  });

  it('lists a page of batches with status, progress, age and expiry, loads more, reopens one and follows a running one live', { timeout: 180_000 }, async () => {
    const [first, second] = await photos(2);
    const named = (photo: typeof first) => ({ name: photo!.name, data: photo!.buffer });
    // The oldest: one file fails, one completes.
    provider.failNext(new AppError('FAL_API_ERROR', 'The model service could not read this photo', { retryable: false }));
    const partial = await client.upload([named(first), named(second)]);
    await client.waitForJob(partial.job_id);
    // Running: its first file held by the provider, its second waiting behind it.
    provider.hold();
    const running = await client.upload([named(first), named(second)]);
    // Cancelled ones fill the first page, so the two above are on the first page's end and the second page.
    for (let i = 0; i < RECENT_PAGE_SIZE - 1; i++) {
      const { job_id } = await client.upload([named(first)]);
      await client.jobs.cancel.mutate({ job_id });
    }

    const browser = await openBrowser(server.url);
    try {
      const { page } = browser;
      // Three minutes on: every batch reads "3 minutes ago".
      await page.clock.setFixedTime(new Date(Date.now() + 3 * MINUTE));
      await page.goto(server.url);
      await saveKey(page, USER_KEY);
      const rows = page.locator('#recent-list > li');
      const row = (jobId: string) => page.locator(`#recent-list > li[data-job-id="${jobId}"]`);
      await expect.poll(() => rows.count(), POLL).toBe(RECENT_PAGE_SIZE);

      const newest = rows.first();
      expect(await newest.getAttribute('data-status')).toBe('cancelled');
      expect(await newest.locator('.badge').textContent()).toBe('Cancelled');
      expect(await newest.locator('.recent-progress').textContent()).toBe('100%: 0 of 1 ready, 1 cancelled (1 file)');
      expect(await newest.locator('.recent-times').textContent()).toBe('uploaded 3 minutes ago, expires in 7 days');

      const runningRow = row(running.job_id);
      expect(await rows.last().getAttribute('data-job-id')).toBe(running.job_id);
      expect(await runningRow.locator('.badge').textContent()).toBe('Running');
      expect(await runningRow.locator('.recent-progress').textContent()).toMatch(/^\d+%: 0 of 2 ready \(2 files\)$/);
      // No expiry while it runs: the clock starts when it finishes.
      expect(await runningRow.locator('.recent-times').textContent()).toBe('uploaded 3 minutes ago');
      const age = runningRow.locator('time');
      expect(await age.getAttribute('datetime')).toBe((await client.status.get.query({ job_id: running.job_id })).created_at);
      expect(await age.getAttribute('title')).toMatch(/\d{4}.*\d{1,2}:\d{2}:\d{2}/);

      // The second page: the oldest batch, and no more pages. The keyboard moves on to it.
      expect(await row(partial.job_id).count()).toBe(0);
      await page.getByRole('button', { name: 'Load more' }).click();
      await expect.poll(() => rows.count(), POLL).toBe(RECENT_PAGE_SIZE + 1);
      expect(await page.getByRole('button', { name: 'Load more' }).isHidden()).toBe(true);
      const partialRow = row(partial.job_id);
      expect(await partialRow.locator('.badge').textContent()).toBe('Partly done');
      expect(await partialRow.locator('.recent-progress').textContent()).toBe('100%: 1 of 2 ready, 1 failed (2 files)');
      expect(await page.evaluate(() => document.activeElement?.closest('li')?.dataset.jobId)).toBe(partial.job_id);

      // Enter on a row opens its batch in the batch view, as its link would.
      await page.keyboard.press('Enter');
      await waitForFiles(page, 'completed', 1);
      await waitForFiles(page, 'failed', 1);
      expect(page.url()).toContain(`?job=${partial.job_id}&session=${partial.session_id}`);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('batch-heading');
      expect(await partialRow.locator('button').getAttribute('aria-current')).toBe('true');

      // The running batch: its files as they are, then live. Cancelling one shows in the list.
      await runningRow.locator('button').click();
      await waitForFiles(page, 'processing', 1);
      expect(await page.locator('li.file .name').allTextContents()).toEqual(['photo-1.png', 'photo-2.jpg']);
      expect(await partialRow.locator('button').getAttribute('aria-current')).toBeNull();
      await page.getByRole('button', { name: 'Cancel photo-2.jpg' }).click();
      await expect.poll(() => runningRow.locator('.recent-progress').textContent(), POLL).toMatch(/^\d+%: 0 of 2 ready, 1 cancelled \(2 files\)$/);
      provider.release();
      await waitForFiles(page, 'completed', 1);
      await expect.poll(() => runningRow.locator('.badge').textContent(), POLL).toBe('Partly done');
      expect(await runningRow.locator('.recent-times').textContent()).toBe('uploaded 3 minutes ago, expires in 7 days');

      // A retry, and an upload from this page, show in the list too.
      await page.getByRole('button', { name: 'Retry failed (1)' }).click();
      await waitForFiles(page, 'completed', 2);
      await expect.poll(() => runningRow.locator('.recent-progress').textContent(), POLL).toBe('100%: 2 of 2 ready (2 files)');
      await page.setInputFiles('#file-input', await photos(1));
      await page.getByRole('button', { name: 'Make 3D models' }).click();
      await expect.poll(() => rows.count(), POLL).toBe(RECENT_PAGE_SIZE + 2);
      expect(await rows.first().locator('button').getAttribute('aria-current')).toBe('true');
      await expect.poll(() => rows.first().locator('.badge').textContent(), POLL).toBe('Completed');
      expect(browser.errors).toEqual([]);
    } finally {
      provider.release();
      await browser.close();
    }
  });

  it('on a phone: says a key is needed, says so plainly when the key is wrong, and when it has no batches', { timeout: 60_000 }, async () => {
    const browser = await openBrowser(server.url, { viewport: PHONE });
    try {
      const { page } = browser;
      await page.goto(server.url);
      const note = page.locator('#recent-note');
      expect(await note.textContent()).toBe('Recent batches are listed for an API key: enter yours in section 1. A batch link opens its batch without one.');
      expect(await page.getByRole('button', { name: 'Refresh' }).isHidden()).toBe(true);

      await saveKey(page, 'not-a-key-of-this-server');
      await expect.poll(() => page.locator('#recent-error').textContent(), POLL).toMatch(/^Cannot list the batches: The server did not accept this API key/);
      expect(await note.textContent()).toBe('');

      await saveKey(page, OTHER_USER_KEY);
      await expect.poll(() => note.textContent(), POLL).toBe('No batches yet for this key: the ones you upload appear here.');
      expect(await page.locator('#recent-error').textContent()).toBe('');

      await saveKey(page, USER_KEY);
      await expect.poll(() => page.locator('#recent-list > li').count(), POLL).toBe(RECENT_PAGE_SIZE);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      // The rows are reached with Tab, and show where focus is.
      await page.getByRole('button', { name: 'Refresh' }).focus();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.className)).toBe('recent-batch');
      expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
      expect(browser.errors.filter((line) => !/status of 401/.test(line))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
