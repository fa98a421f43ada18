import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider, parseEnv } from '@image2model/server';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { assertBrowserInCi, HAS_CHROMIUM, openBrowser } from './support/browser.js';
import { GatedProvider } from './support/gated-provider.js';
import { photos, POLL, progressValues, saveKey, waitForFiles } from './support/page.js';

assertBrowserInCi();
const PHONE = { width: 390, height: 844 };

describe.skipIf(!HAS_CHROMIUM)('the web app cancelling and retrying a batch', () => {
  let server: TestServer;
  let provider: GatedProvider;

  beforeAll(async () => {
    // Held generations finish once released even if cancelled meanwhile: the server must drop them.
    provider = new GatedProvider(await createProvider(parseEnv({})), { completesDespiteCancel: true });
    // One file generates at a time and the others wait: the cancels meet both kinds.
    server = await startTestServer({ provider, env: { WORKER_CONCURRENCY: '1' } });
  });
  afterAll(async () => {
    provider?.release();
    await server?.stop();
  });

  it('on a phone: cancels one file, then the batch after asking; they stay cancelled when the provider lets go; Retry failed makes them all', { timeout: 180_000 }, async () => {
    const browser = await openBrowser(server.url, { viewport: PHONE });
    try {
      const { page } = browser;
      const fileRow = (fileId: string) => page.locator(`li.file[data-file-id="${fileId}"]`);
      const statusOf = (fileId: string) => fileRow(fileId).getAttribute('data-status');
      const cancelBatch = page.getByRole('button', { name: 'Cancel batch' });
      await page.goto(server.url);
      await saveKey(page, USER_KEY);
      provider.hold();
      await page.setInputFiles('#file-input', await photos(3));
      await page.getByRole('button', { name: 'Make 3D models' }).click();
      await waitForFiles(page, 'processing', 1);
      await expect.poll(() => cancelBatch.isEnabled(), POLL).toBe(true);
      expect(await page.getByRole('button', { name: /^Cancel photo-/ }).count()).toBe(3);

      // Without the key that uploaded it, the page only watches, and says why.
      await page.getByRole('button', { name: 'Forget key' }).click();
      await expect.poll(() => cancelBatch.isDisabled(), POLL).toBe(true);
      expect(await page.locator('#manage-help').textContent()).toMatch(/^Cancel and retry need the API key that uploaded this batch/);
      expect(await page.getByRole('button', { name: /^Cancel photo-/ }).count()).toBe(0);
      await saveKey(page, USER_KEY);
      await expect.poll(() => cancelBatch.isEnabled(), POLL).toBe(true);
      expect(await page.locator('#manage-help').isHidden()).toBe(true);

      // One file, while it generates: the stream says what stopping it cost, then it is cancelled.
      await page.getByRole('button', { name: 'Cancel photo-1.png' }).click();
      await expect.poll(() => statusOf('file_001'), POLL).toBe('cancelled');
      expect(await fileRow('file_001').locator('.badge').textContent()).toBe('Cancelled');
      await expect.poll(() => page.locator('#batch-message').textContent(), POLL).toBe('Cancelled photo-1.png: it keeps its last progress and can be retried.');
      await expect.poll(() => fileRow('file_001').locator('.newest').textContent(), POLL).toBe('Generation stopped; the local generator bills nothing');
      await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-file-id')), POLL).toBe('file_001');
      expect(await page.getByRole('button', { name: 'Retry photo-1.png' }).isVisible()).toBe(true);
      // Its place went to the next photo.
      await expect.poll(() => statusOf('file_002'), POLL).toBe('processing');
      expect(await statusOf('file_003')).toBe('pending');

      // The batch, from the keyboard: Escape keeps it, the confirm button cancels the rest.
      await cancelBatch.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Cancel this batch?' });
      await expect.poll(() => dialog.isVisible(), POLL).toBe(true);
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Keep generating');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.isVisible(), POLL).toBe(false);
      expect(await page.locator('li.file[data-status="cancelled"]').count()).toBe(1);
      await cancelBatch.click();
      await dialog.getByRole('button', { name: 'Cancel 2 files' }).click();
      await expect.poll(() => page.locator('li.file[data-status="cancelled"]').count(), POLL).toBe(3);
      // The stream's events may come before the cancel's answer.
      await expect.poll(() => page.locator('#batch-message').textContent(), POLL).toBe('Cancelled 2 files: they keep their last progress and can be retried.');
      expect(await page.locator('#batch-summary').textContent()).toBe('100%: 0 of 3 ready, 3 cancelled');
      expect(await cancelBatch.isHidden()).toBe(true);
      const retryFailed = page.getByRole('button', { name: 'Retry failed (3)' });
      await expect.poll(() => page.evaluate(() => document.activeElement?.id), POLL).toBe('retry-failed');
      // The stream's `done`: the batch is finished, and the page says how long the server keeps it.
      await expect.poll(() => page.locator('#batch-expiry').textContent(), POLL).toMatch(/^Kept until .+ \(in 7 days\): download the models/);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

      // The held generations now finish; the server drops what they made, and a reload shows it.
      provider.release();
      await provider.settled();
      await page.reload();
      await expect.poll(() => page.locator('li.file[data-status="cancelled"]').count(), POLL).toBe(3);
      await expect.poll(() => page.locator('#batch-expiry').isVisible(), POLL).toBe(true);
      expect((await progressValues(page)).batch).toBe(100);

      await expect.poll(() => retryFailed.isEnabled(), POLL).toBe(true);
      await retryFailed.click();
      await expect.poll(() => page.locator('#batch-message').textContent(), POLL).toBe('Retrying 3 files.');
      expect(await page.locator('#batch-expiry').isHidden()).toBe(true);
      await waitForFiles(page, 'completed', 3);
      expect(await page.locator('#batch-summary').textContent()).toBe('100%: 3 of 3 ready');
      expect(await retryFailed.count()).toBe(0);
      await expect.poll(() => page.locator('#batch-expiry').isVisible(), POLL).toBe(true);
      expect(browser.errors).toEqual([]);
    } finally {
      provider.release();
      await browser.close();
    }
  });
});
