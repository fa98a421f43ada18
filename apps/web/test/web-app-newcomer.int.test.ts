import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { assertBrowserInCi, HAS_CHROMIUM, openBrowser } from './support/browser.js';
import { modelCoverage, photos, POLL, saveKey, shownModel, truncatedJpeg, viewerShot, waitForFiles } from './support/page.js';

assertBrowserInCi();
const DOCS = new URL('../../../docs/', import.meta.url);
/** `UPDATE_WEB_SCREENSHOT=1` re-renders docs/web-app.md's pictures of these layouts. */
const screenshot = async (page: import('playwright-core').Page, name: string) => {
  if (process.env.UPDATE_WEB_SCREENSHOT === '1') await page.screenshot({ path: fileURLToPath(new URL(name, DOCS)), fullPage: true });
};

/** Uploads through the API, as another browser or a script would, and waits until the job is done. */
async function uploadAndWait(server: TestServer, files: { name: string; data: Buffer; type: string }[]): Promise<{ job_id: string; session_id: string }> {
  const form = new FormData();
  for (const file of files) form.append('files', new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
  const headers = { authorization: `Bearer ${USER_KEY}` };
  const upload = await fetch(server.api('/upload/batch'), { method: 'POST', body: form, headers });
  expect(upload.status).toBe(200);
  const job = (await upload.json()) as { job_id: string; session_id: string };
  await expect
    .poll(async () => ((await (await fetch(server.api(`/status/${job.job_id}`), { headers })).json()) as { status: string }).status, { timeout: 90_000 })
    .not.toBe('processing');
  return job;
}

/** The headings a reader sees, in page order. */
const visibleHeadings = (page: import('playwright-core').Page) =>
  page.evaluate(() => [...document.querySelectorAll('main h2')].filter((h) => (h as HTMLElement).offsetParent !== null).map((h) => h.textContent?.trim() ?? ''));

describe.skipIf(!HAS_CHROMIUM)('the web app, as a newcomer meets it', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('first open: sections 1 and 2 and the recent batches only, no viewer; a pasted key is used without saving; damaged photos are flagged; zoom in enlarges the model', { timeout: 180_000 }, async () => {
    const browser = await openBrowser(server.url);
    try {
      const { page } = browser;
      await page.goto(server.url);
      expect(await visibleHeadings(page)).toEqual(['1. API key', '2. Photos', 'Recent batches']);
      expect(await page.locator('#viewer-canvas').isVisible()).toBe(false);
      expect(await page.locator('.viewer-controls button:enabled').count()).toBe(0);
      await screenshot(page, 'web-ui-first-open.png');

      // Pasted, never saved: the key in the box is the one used.
      await page.getByLabel('API key', { exact: true }).fill(USER_KEY);
      expect(await page.locator('#key-status').textContent()).toContain('Save key keeps it in this browser');
      await page.setInputFiles('#file-input', [...(await photos(3)), await truncatedJpeg()]);
      await expect.poll(() => page.locator('#picked li.refused').count(), POLL).toBe(1);
      expect(await page.locator('#picked .problem').textContent()).toBe(
        'cut-off.jpg: this photo is damaged or incomplete (it does not decode to the end), so no model can be made from it. Use a complete copy.',
      );
      expect(await page.locator('#picked-summary').textContent()).toBe('4 photos, 1 that cannot be used: remove it first (one bad file stops the whole batch).');
      expect(await page.getByRole('button', { name: 'Make 3D models' }).isDisabled()).toBe(true);
      await page.getByRole('button', { name: 'Remove cut-off.jpg' }).click();
      await expect.poll(() => page.locator('#picked-summary').textContent(), POLL).toBe('3 photos ready.');

      await page.getByRole('button', { name: 'Make 3D models' }).click();
      await waitForFiles(page, 'completed', 3);
      expect(await page.locator('#upload-error').textContent()).toBe('');
      expect(await page.evaluate(() => localStorage.getItem('image2model.apiKey'))).toBeNull();
      expect(await visibleHeadings(page)).toEqual(['1. API key', '2. Photos', '3. Progress', '4. Model viewer', 'Recent batches']);

      // Zoom in brings the model closer (it covers more of the viewer), zoom out further.
      const shown = await shownModel(page);
      const start = await modelCoverage(await viewerShot(page, shown));
      expect(await page.locator('.viewer-controls button:enabled').count()).toBe(5);
      await page.getByRole('button', { name: 'Zoom in' }).click();
      await page.getByRole('button', { name: 'Zoom in' }).click();
      const closer = await modelCoverage(await page.locator('#viewer-canvas').screenshot());
      expect(closer).toBeGreaterThan(start * 1.3);
      await page.getByRole('button', { name: 'Reset view' }).click();
      await page.getByRole('button', { name: 'Zoom out' }).click();
      const further = await modelCoverage(await page.locator('#viewer-canvas').screenshot());
      expect(further).toBeLessThan(start / 1.3);
      await page.locator('#viewer-canvas').focus();
      await page.keyboard.press('0');
      await page.keyboard.press('+');
      expect(await modelCoverage(await page.locator('#viewer-canvas').screenshot())).toBeGreaterThan(start * 1.15);
      await page.keyboard.press('-');
      await page.keyboard.press('-');
      expect(await modelCoverage(await page.locator('#viewer-canvas').screenshot())).toBeLessThan(start / 1.15);
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it("a batch link on a phone in another browser: each file's photo from the server, a damaged photo said plainly without Retry, warnings marked, logs collapsed to their newest line, the model before its photo", { timeout: 180_000 }, async () => {
    const [clean] = await photos(1);
    // Gravel with no object on it: the generator cannot separate one, makes a card and warns (a
    // busy photo with an object on it is separated since GrabCut).
    const busy = await readFile(new URL('../../../packages/mesh/src/test-support/backgrounds/gravel.jpg', import.meta.url));
    const job = await uploadAndWait(server, [
      { name: 'clean.png', data: clean!.buffer, type: 'image/png' },
      { name: 'busy.jpg', data: busy, type: 'image/jpeg' },
      { name: 'cut-off.jpg', data: (await truncatedJpeg()).buffer, type: 'image/jpeg' },
    ]);

    const browser = await openBrowser(server.url, { viewport: { width: 375, height: 740 } });
    try {
      const { page } = browser;
      await page.goto(`${server.url}/?job=${job.job_id}&session=${job.session_id}`);
      await waitForFiles(page, 'completed', 2);
      await waitForFiles(page, 'failed', 1);
      const damaged = page.locator('li.file[data-file-id="file_003"]');
      expect(await damaged.locator('.error').textContent()).toBe('Why: The photo is damaged (truncated JPEG): upload a complete copy (VALIDATION_ERROR)');
      expect(await damaged.getByRole('button', { name: 'Retry cut-off.jpg' }).count()).toBe(0);

      const clean1 = page.locator('li.file[data-file-id="file_001"]');
      const busy2 = page.locator('li.file[data-file-id="file_002"]');
      // The card says so on the file itself, beside "Ready", not only in the log.
      expect(await busy2.getAttribute('data-warnings')).toBe('true');
      expect(await busy2.locator('.file-title .badge').allTextContents()).toEqual(['Ready', 'Flat card — background not separated']);
      const cardBadge = busy2.locator('.badge.notice[data-code="BACKGROUND_NOT_SEPARATED"]');
      expect(await cardBadge.isVisible()).toBe(true);
      expect(await cardBadge.getAttribute('title')).toContain('made a flat card of the whole photo');
      expect(await clean1.getAttribute('data-warnings')).toBe('false');
      expect(await clean1.locator('.badge.notice.warn').count()).toBe(0);
      expect(await clean1.locator('.file-title .badge').first().textContent()).toBe('Ready');
      const border = (row: typeof clean1) => row.evaluate((node) => getComputedStyle(node).borderTopColor);
      expect(await border(busy2)).not.toBe(await border(clean1));

      // Every log collapsed, showing its newest line.
      for (const row of [clean1, busy2, damaged]) {
        expect(await row.locator('details.log').getAttribute('open')).toBeNull();
        expect(await row.locator('.logs').isVisible()).toBe(false);
        expect(await row.locator('summary .newest').textContent()).toBe(await row.locator('.logs li').last().textContent());
      }
      expect(await busy2.locator('summary .newest').textContent()).toContain('flat card of the whole photo');

      // Each tile is the uploaded photo from the server (160 and 256 pixels wide; a preview would be
      // the model's picture, and a failed file has none), though this browser never saw the photos.
      const widths = await page.evaluate(async () => {
        const thumbs = [...document.querySelectorAll<HTMLImageElement>('li.file img.thumb')];
        await Promise.all(thumbs.map((img) => img.decode().catch(() => undefined)));
        return thumbs.map((img) => img.naturalWidth);
      });
      expect(widths).toEqual([160, 256, 160]);

      // The viewer opens the first model, above its source photo, without scrolling past the logs.
      await viewerShot(page, await shownModel(page));
      const box = (selector: string) => page.locator(selector).boundingBox();
      const [canvas, source] = [await box('#viewer-canvas'), await box('figure.source')];
      expect(canvas!.y).toBeLessThan(source!.y);
      expect(canvas!.y).toBeLessThan(2.5 * 740);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await screenshot(page, 'web-ui-phone.png');

      // With the key that uploaded the batch too, a damaged photo gets no Retry: it would fail again.
      await saveKey(page, USER_KEY);
      await page.waitForSelector('#files[data-manage="true"]');
      expect(await damaged.getByRole('button', { name: 'Retry cut-off.jpg' }).count()).toBe(0);
      expect(await page.locator('#retry-failed').isHidden()).toBe(true);
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
