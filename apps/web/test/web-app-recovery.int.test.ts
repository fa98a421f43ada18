import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@image2model/core';
import { FakeModelProvider } from '@image2model/core/testing';
import { createProvider, parseEnv } from '@image2model/server';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';
import { assertBrowserInCi, HAS_CHROMIUM, openBrowser } from './support/browser.js';
import { GatedProvider } from './support/gated-provider.js';
import { modelCoverage, photos, POLL, progressValues, saveKey, shownModel, viewerShot, waitForFiles } from './support/page.js';

assertBrowserInCi();
const DOCS = new URL('../../../docs/', import.meta.url);

describe.skipIf(!HAS_CHROMIUM)('the web app when things go wrong', () => {
  let server: TestServer;
  let provider: GatedProvider;

  beforeAll(async () => {
    provider = new GatedProvider(await createProvider(parseEnv({})));
    server = await startTestServer({ provider });
  });
  afterAll(async () => {
    provider?.release();
    await server?.stop();
  });

  it('shows why a file failed and retries it (jobs.retry with its id) into a model', { timeout: 120_000 }, async () => {
    const browser = await openBrowser(server.url);
    try {
      const { page } = browser;
      await page.goto(server.url);
      await saveKey(page, USER_KEY);
      provider.failNext(new AppError('FAL_API_ERROR', 'The model service could not read this photo', { retryable: false }));
      await page.setInputFiles('#file-input', await photos(1));
      await page.getByRole('button', { name: 'Make 3D models' }).click();
      await waitForFiles(page, 'failed', 1);
      expect(await page.locator('li.file .error').textContent()).toBe('Why: The model service could not read this photo (FAL_API_ERROR)');
      expect(await page.locator('#batch-summary').textContent()).toContain('1 failed');

      await page.getByRole('button', { name: 'Retry photo-1.png' }).click();
      await waitForFiles(page, 'completed', 1);
      expect(await progressValues(page)).toEqual({ files: [100], batch: 100 });
      expect(await page.locator('li.file .error').isHidden()).toBe(true);
      expect(await modelCoverage(await viewerShot(page, 'file_001'))).toBeGreaterThan(0.03);
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('restores the batch after a reload and keeps following it live', { timeout: 120_000 }, async () => {
    const browser = await openBrowser(server.url);
    try {
      const { page } = browser;
      await page.goto(server.url);
      await saveKey(page, USER_KEY);
      provider.hold();
      await page.setInputFiles('#file-input', await photos(2));
      await page.getByRole('button', { name: 'Make 3D models' }).click();
      await page.waitForFunction(() => document.querySelectorAll('li.file .logs li').length >= 2);
      const jobId = new URL(page.url()).searchParams.get('job');
      expect(jobId).toMatch(/^batch_/);

      await page.reload();
      await page.waitForFunction(() => document.querySelectorAll('li.file').length === 2);
      expect(new URL(page.url()).searchParams.get('job')).toBe(jobId);
      expect(await page.locator('#batch-id').textContent()).toContain(jobId);
      expect(await page.locator('li.file[data-status="completed"]').count()).toBe(0);

      provider.release();
      await waitForFiles(page, 'completed', 2);
      expect(await progressValues(page)).toEqual({ files: [100, 100], batch: 100 });
      await viewerShot(page, await shownModel(page));
      expect(await page.locator('li.file img.thumb').first().getAttribute('src')).toMatch(/^blob:/);
      expect(browser.errors).toEqual([]);
    } finally {
      provider.release();
      await browser.close();
    }
  });

  it.runIf(process.env.UPDATE_WEB_SCREENSHOT === '1')('renders docs/web-ui.png from the gallery photos', { timeout: 120_000 }, async () => {
    const browser = await openBrowser(server.url, { viewport: { width: 1100, height: 900 } });
    try {
      const { page } = browser;
      await page.goto(server.url);
      await saveKey(page, USER_KEY);
      const names = ['mug-with-shadow', 'bottle-with-alpha', 'star-on-white'];
      const files = await Promise.all(names.map(async (name) => ({ name: `${name}.png`, mimeType: 'image/png', buffer: await readFile(new URL(`gallery/${name}.input.png`, DOCS)) })));
      await page.setInputFiles('#file-input', files);
      await page.getByRole('button', { name: 'Make 3D models' }).click();
      await waitForFiles(page, 'completed', 3);
      await viewerShot(page, await shownModel(page));
      // The picture shows the print report beside the model, not its "Checking…" line.
      await page.getByRole('region', { name: 'Print readiness' }).locator('.verdict').waitFor();
      await page.locator('#viewer-canvas').focus();
      for (const key of ['ArrowLeft', 'ArrowLeft', 'ArrowUp']) await page.keyboard.press(key);
      await page.screenshot({ path: fileURLToPath(new URL('web-ui.png', DOCS)), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});

describe.skipIf(!HAS_CHROMIUM)('the web app at the rate limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ provider: new FakeModelProvider(), env: { RATE_LIMIT_PER_MINUTE: '2' } });
  });
  afterAll(() => server?.stop());

  it('says the rate limit was hit and when to try again', { timeout: 60_000 }, async () => {
    const browser = await openBrowser(server.url);
    try {
      const { page } = browser;
      await page.goto(server.url); // the page reads the limits: one request
      await saveKey(page, USER_KEY);
      for (let i = 0; i < 2; i++) await fetch(server.api('/status/batch_none'), { headers: { authorization: `Bearer ${USER_KEY}` } });
      await page.setInputFiles('#file-input', await photos(1));
      await page.getByRole('button', { name: 'Make 3D models' }).click();
      const alert = page.locator('#upload-error');
      await expect.poll(() => alert.textContent(), POLL).toMatch(/Too many requests: the server's rate limit was reached\. Try again in \d+ s\./);
      expect(await page.getByRole('button', { name: 'Make 3D models' }).isDisabled()).toBe(true);
      expect(browser.errors.filter((line) => !/status of 429/.test(line))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
