import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { assertBrowserInCi, HAS_CHROMIUM, openBrowser } from './support/browser.js';
import { focusOutline, modelCoverage, photos, POLL, pixelDifference, progressValues, saveKey, tabTo, shownModel, viewerShot, waitForFiles, zipEntries } from './support/page.js';

assertBrowserInCi();

describe.skipIf(!HAS_CHROMIUM)('the web app with the local generator', () => {
  let server: TestServer;
  let downloads: string;

  beforeAll(async () => {
    server = await startTestServer();
    downloads = join(tmpdir(), `i2m-web-downloads-${process.pid}`);
    await mkdir(downloads, { recursive: true });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(downloads, { recursive: true, force: true });
  });

  it('turns three photos into models: every bar reaches 100%, the viewer draws, the ZIP holds three GLBs, a reload shows the same batch', { timeout: 180_000 }, async () => {
    const browser = await openBrowser(server.url);
    try {
      const { page } = browser;
      const response = await page.goto(server.url);
      expect(response?.headers()['content-security-policy']).toContain("connect-src 'self' blob:");
      await saveKey(page, USER_KEY);
      await page.setInputFiles('#file-input', await photos(3));
      await expect.poll(() => page.locator('#picked li').count(), POLL).toBe(3);
      await page.getByRole('button', { name: 'Make 3D models' }).click();

      await waitForFiles(page, 'completed', 3);
      expect(await progressValues(page)).toEqual({ files: [100, 100, 100], batch: 100 });
      expect(await page.locator('#batch-summary').textContent()).toContain('3 of 3 ready');
      expect(await page.locator('li.file .logs li').count()).toBeGreaterThan(0);

      const drawn = await viewerShot(page, await shownModel(page));
      expect(await modelCoverage(drawn)).toBeGreaterThan(0.03);
      expect(await page.locator('#source-photo').getAttribute('src')).toMatch(/^blob:/);
      // The print report beside the shown model: the verdict, watertight, the size in mm, the volume.
      const report = page.getByRole('region', { name: 'Print readiness' });
      await expect.poll(() => report.locator('.verdict').textContent(), POLL).toBe('Printable');
      expect(await report.locator('.facts').innerText()).toMatch(/Watertight\s+Yes\s+Size\s+[\d.]+ × [\d.]+ × [\d.]+ mm\s+Volume\s+[\d.]+ cm³/);

      const [zip] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download all (ZIP)' }).click()]);
      const zipPath = join(downloads, zip.suggestedFilename());
      await zip.saveAs(zipPath);
      const entries = await zipEntries(zipPath);
      const glbs = Object.entries(entries).filter(([name]) => name.endsWith('.glb'));
      expect(glbs).toHaveLength(3);
      for (const [, bytes] of glbs) expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe('glTF');

      const [one] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the model of photo-2.jpg' }).click()]);
      expect(one.suggestedFilename()).toMatch(/\.glb$/);
      // The format menu beside each download: the server converts, the name says the format.
      await page.getByRole('combobox', { name: 'Format of the model of photo-2.jpg' }).selectOption('stl');
      const [stl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the model of photo-2.jpg' }).click()]);
      expect(stl.suggestedFilename()).toMatch(/\.stl$/);
      await page.getByRole('combobox', { name: 'Format of the models in the ZIP' }).selectOption('obj');
      const [objZip] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download all (ZIP)' }).click()]);
      const objPath = join(downloads, `obj-${objZip.suggestedFilename()}`);
      await objZip.saveAs(objPath);
      expect(Object.keys(await zipEntries(objPath)).filter((name) => name.endsWith('/model.obj'))).toHaveLength(3);

      const address = page.url();
      expect(address).toMatch(/\?job=batch_[^&]+&session=/);
      await page.reload();
      await waitForFiles(page, 'completed', 3);
      expect(page.url()).toBe(address);
      expect(await page.locator('li.file .name').allTextContents()).toEqual(['photo-1.png', 'photo-2.jpg', 'photo-3.png']);
      expect(await modelCoverage(await viewerShot(page, await shownModel(page)))).toBeGreaterThan(0.03);
      expect(await page.locator('li.file img.thumb').first().getAttribute('src')).toMatch(/^blob:/);

      expect(browser.errors).toEqual([]);
      expect(browser.outside).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('can be driven with the keyboard alone, with visible focus', { timeout: 180_000 }, async () => {
    const browser = await openBrowser(server.url);
    try {
      const { page } = browser;
      await page.goto(server.url);
      await tabTo(page, '#api-key');
      expect(await focusOutline(page)).toMatch(/^solid 3px/);
      await page.keyboard.type(USER_KEY);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#key-status').textContent(), POLL).toContain('saved');

      // Listen first: Playwright intercepts the dialog only once the listener is in place.
      const choosing = page.waitForEvent('filechooser');
      await tabTo(page, '#pick-files');
      expect(await focusOutline(page)).toMatch(/^solid 3px/);
      await page.keyboard.press('Enter');
      const chooser = await choosing;
      await chooser.setFiles(await photos(3));
      await expect.poll(() => page.locator('#picked li').count(), POLL).toBe(3);
      // Remove the second photo from the keyboard.
      await tabTo(page, 'button[aria-label="Remove photo-2.jpg"]');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#picked li').count(), POLL).toBe(2);

      await tabTo(page, '#face-preset');
      await page.keyboard.press('ArrowDown'); // Medium → High
      expect(await page.locator('#face-limit').inputValue()).toBe('50000');
      await tabTo(page, '#start');
      await page.keyboard.press('Enter');
      await waitForFiles(page, 'completed', 2);

      // Two files run at once, so either may have opened first: switch to the other one.
      const opened = await shownModel(page);
      const first = await viewerShot(page, opened);
      const [otherFile, otherPhoto] = opened === 'file_001' ? ['file_002', 'photo-3.png'] : ['file_001', 'photo-1.png'];
      await tabTo(page, `button[aria-label="View ${otherPhoto} in 3D"]`);
      await page.keyboard.press('Enter');
      const second = await viewerShot(page, otherFile);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('viewer-canvas');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('+');
      const turned = await page.locator('#viewer-canvas').screenshot();
      expect(await pixelDifference(second, turned)).toBeGreaterThan(0.01);
      await page.keyboard.press('0');
      expect(await pixelDifference(second, await page.locator('#viewer-canvas').screenshot())).toBeLessThan(0.01);
      expect(await pixelDifference(first, second)).toBeGreaterThan(0);

      await tabTo(page, '#download-all');
      const [zip] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
      expect(zip.suggestedFilename()).toMatch(/\.zip$/);
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('flags files the server would refuse before uploading, with the server’s reasons, and fits a phone', { timeout: 120_000 }, async () => {
    const browser = await openBrowser(server.url, { viewport: { width: 375, height: 740 } });
    try {
      const { page } = browser;
      await page.goto(server.url);
      await saveKey(page, USER_KEY);
      const good = await photos(1);
      const huge = { name: 'huge.png', mimeType: 'image/png', buffer: Buffer.concat([good[0]!.buffer, Buffer.alloc(10 * 1024 * 1024)]) };
      const text = { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not a picture at all') };
      await page.setInputFiles('#file-input', [...good, huge, text]);
      await expect.poll(() => page.locator('#picked li.refused').count(), POLL).toBe(2);
      const problems = await page.locator('#picked .problem').allTextContents();
      expect(problems).toEqual([
        'The server would refuse this file: File too large: huge.png exceeds 10 MB',
        'The server would refuse this file: Invalid file format: notes.png is not a JPEG or PNG image; send JPEG or PNG images',
      ]);
      expect(await page.getByRole('button', { name: 'Make 3D models' }).isDisabled()).toBe(true);
      await page.getByRole('button', { name: 'Remove huge.png' }).click();
      await page.getByRole('button', { name: 'Remove notes.png' }).click();
      // A photo dropped on the drop zone joins the list.
      const dropped = (await photos(2))[1]!;
      await page.evaluate(({ name, bytes }) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/jpeg' }));
        document.querySelector('#drop-zone')?.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      }, { name: 'dropped.jpg', bytes: [...dropped.buffer] });
      await expect.poll(() => page.locator('#picked li').count(), POLL).toBe(2);
      expect(await page.getByRole('button', { name: 'Make 3D models' }).isDisabled()).toBe(false);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await page.getByRole('button', { name: 'Make 3D models' }).click();
      await waitForFiles(page, 'completed', 2);
      await viewerShot(page, await shownModel(page));
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('says clearly that the API key is wrong, and where the right one is', { timeout: 60_000 }, async () => {
    const browser = await openBrowser(server.url);
    try {
      const { page } = browser;
      await page.goto(server.url);
      await saveKey(page, 'not-the-key');
      await page.setInputFiles('#file-input', await photos(1));
      await page.getByRole('button', { name: 'Make 3D models' }).click();
      const alert = page.locator('#upload-error');
      await expect.poll(() => alert.textContent(), POLL).toContain('did not accept this API key');
      expect(await alert.textContent()).toContain('api-key.txt');
      // The only console line is the browser's own note of the 401 answer.
      expect(browser.errors.filter((line) => !/status of 401/.test(line))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
