import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePhoto } from '@image2model/testing/images';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { assertBrowserInCi, HAS_CHROMIUM, openBrowser } from './support/browser.js';
import { modelCoverage, POLL, saveKey, shownModel, truncatedJpeg, viewerShot, waitForFiles } from './support/page.js';

assertBrowserInCi();
/** `UPDATE_WEB_SCREENSHOT=1` re-renders docs/web-app.md's picture of this mode. */
const SCREENSHOT = new URL('../../../docs/web-ui-multiview.png', import.meta.url);

/** One object's side as the page takes it: a disc, wider from the front than from the sides. */
async function view(name: string, width: number): Promise<{ name: string; mimeType: string; buffer: Buffer }> {
  const jpeg = name.endsWith('.jpg');
  return { name, mimeType: jpeg ? 'image/jpeg' : 'image/png', buffer: await makePhoto({ width, height: 200, colour: '#2a7bd0', format: jpeg ? 'jpeg' : 'png' }) };
}

describe.skipIf(!HAS_CHROMIUM)('the web app, several views of one object', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  it('four labelled drop zones; submit waits for the front and a side; one model made, viewed, and its views listed on its card, after a reload too', { timeout: 180_000 }, async () => {
    const browser = await openBrowser(server.url);
    try {
      const { page } = browser;
      await page.goto(server.url);
      await saveKey(page, USER_KEY);
      const start = page.locator('#start');
      const summary = page.locator('#views-summary');

      // The batch mode first; the views mode shows the four zones and says why a side is needed.
      expect(await page.locator('#views').isVisible()).toBe(false);
      await page.getByLabel('Several views of one object').check();
      expect(await page.locator('#drop-zone').isVisible()).toBe(false);
      expect(await page.locator('#views .view-zone h3').allTextContents()).toEqual(['Front (required)', 'Left', 'Back', 'Right']);
      expect(await page.locator('#views-help').textContent()).toContain('a side view is what gives the model its depth');
      expect(await start.textContent()).toBe('Make one 3D model');
      expect(await start.isDisabled()).toBe(true);

      await page.setInputFiles('#view-front-input', await view('mug-front.png', 200));
      await expect.poll(() => summary.textContent(), POLL).toBe('Add a left or right view: a side view is what gives the model its depth.');
      await page.setInputFiles('#view-back-input', await view('mug-back.png', 200));
      await expect.poll(() => summary.textContent(), POLL).toBe('Add a left or right view: a side view is what gives the model its depth.');
      expect(await start.isDisabled()).toBe(true);

      // A damaged side is flagged in its zone and holds the upload back until it is replaced.
      await page.setInputFiles('#view-left-input', await truncatedJpeg('mug-left.jpg'));
      await expect.poll(() => summary.textContent(), POLL).toBe('The left photo cannot be used: remove it or choose another.');
      expect(await page.locator('.view-zone[data-view="left"] .problem').textContent()).toContain('mug-left.jpg: this photo is damaged or incomplete');
      expect(await start.isDisabled()).toBe(true);
      await page.setInputFiles('#view-left-input', await view('mug-left.jpg', 120));
      await page.setInputFiles('#view-right-input', await view('mug-right.png', 120));
      await expect.poll(() => summary.textContent(), POLL).toBe('4 views ready (front, left, back, right): they make one model.');
      expect(await page.locator('.view-zone[data-view="left"]').getAttribute('class')).toBe('view-zone chosen');

      // The right one removed: the left is side enough.
      await page.getByRole('button', { name: 'Remove the right view mug-right.png' }).click();
      await expect.poll(() => summary.textContent(), POLL).toBe('3 views ready (front, left, back): they make one model.');
      expect(await start.isEnabled()).toBe(true);
      if (process.env.UPDATE_WEB_SCREENSHOT === '1') await page.locator('main section').nth(1).screenshot({ path: fileURLToPath(SCREENSHOT) });

      await start.click();
      await waitForFiles(page, 'completed', 1);
      expect(await page.locator('#upload-error').textContent()).toBe('');
      expect(await page.locator('li.file').count()).toBe(1);
      const card = page.locator('li.file[data-file-id="file_001"]');
      expect(await card.locator('.name').first().textContent()).toBe('mug-front.png');
      const madeFrom = 'Made from 3 views: front mug-front.png, left mug-left.jpg, back mug-back.png';
      expect(await card.locator('.views-made-from').textContent()).toBe(madeFrom);
      expect(await shownModel(page)).toBe('file_001');
      expect(await modelCoverage(await viewerShot(page, 'file_001'))).toBeGreaterThan(0.02);
      expect(await page.locator('#source-caption').textContent()).toBe('Source: mug-front.png');
      // The zones are empty again for the next object; the mode stays.
      expect(await page.locator('#views .view-zone.chosen').count()).toBe(0);
      expect(await start.isDisabled()).toBe(true);

      // The batch link brings it back from the server's status, views and all.
      await page.reload();
      await waitForFiles(page, 'completed', 1);
      expect(await card.locator('.views-made-from').textContent()).toBe(madeFrom);
      expect(await card.locator('.views-made-from').isVisible()).toBe(true);
      expect(browser.errors).toEqual([]);
      expect(browser.outside).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
