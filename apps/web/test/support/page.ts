import sharp from 'sharp';
import { unzipSync } from 'fflate';
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { makePhoto } from '@image2model/testing/images';

const GENERATION_TIMEOUT_MS = 90_000;
/** For `expect.poll`: the machines running these tests are often busy. */
export const POLL = { timeout: 20_000 } as const;

/** Photos the local generator turns into models: discs of different colours. */
export async function photos(count: number): Promise<{ name: string; mimeType: string; buffer: Buffer }[]> {
  const colours = ['#d04a2a', '#2a7bd0', '#2ab05a', '#b02ab0'];
  return Promise.all(
    Array.from({ length: count }, async (_, i) => ({
      name: `photo-${i + 1}.${i % 2 ? 'jpg' : 'png'}`,
      mimeType: i % 2 ? 'image/jpeg' : 'image/png',
      buffer: await makePhoto({ width: 160, height: 160, colour: colours[i % colours.length], format: i % 2 ? 'jpeg' : 'png' }),
    })),
  );
}

export async function saveKey(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key', { exact: true }).fill(key);
  await page.getByRole('button', { name: 'Save key' }).click();
}

export async function waitForFiles(page: Page, status: 'completed' | 'failed' | 'processing', count: number): Promise<void> {
  await page.waitForFunction(([s, n]) => document.querySelectorAll(`li.file[data-status="${s}"]`).length === n, [status, count] as const, {
    timeout: GENERATION_TIMEOUT_MS,
  });
}

/** Every file's bar and the batch's, as the page shows them. */
export function progressValues(page: Page): Promise<{ files: number[]; batch: number }> {
  return page.evaluate(() => ({
    files: [...document.querySelectorAll<HTMLProgressElement>('li.file progress')].map((bar) => bar.value),
    batch: document.querySelector<HTMLProgressElement>('#batch-progress')?.value ?? -1,
  }));
}

/** The share of pixels that differ between two screenshots of the same element. */
export async function pixelDifference(a: Buffer, b: Buffer): Promise<number> {
  const [left, right] = await Promise.all([a, b].map((png) => sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true })));
  if (!left || !right || left.info.width !== right.info.width || left.info.height !== right.info.height) return 1;
  let differing = 0;
  for (let i = 0; i < left.data.length; i += 3) {
    const delta = Math.abs(left.data[i]! - right.data[i]!) + Math.abs(left.data[i + 1]! - right.data[i + 1]!) + Math.abs(left.data[i + 2]! - right.data[i + 2]!);
    if (delta > 30) differing += 1;
  }
  return differing / (left.info.width * left.info.height);
}

/** The viewer's empty colour (VIEWER_BACKGROUND in src/viewer.ts). */
const VIEWER_BACKGROUND = [0xe8, 0xed, 0xf3] as const;

/** The share of a viewer screenshot's pixels the model covers (those unlike the background). */
export async function modelCoverage(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let covered = 0;
  for (let i = 0; i < data.length; i += 3) {
    const delta = Math.abs(data[i]! - VIEWER_BACKGROUND[0]) + Math.abs(data[i + 1]! - VIEWER_BACKGROUND[1]) + Math.abs(data[i + 2]! - VIEWER_BACKGROUND[2]);
    if (delta > 30) covered += 1;
  }
  return covered / (info.width * info.height);
}

/** A JPEG cut off in its pixel data, as after a broken transfer: the header still reads. */
export async function truncatedJpeg(name = 'cut-off.jpg'): Promise<{ name: string; mimeType: string; buffer: Buffer }> {
  const whole = await makePhoto({ width: 160, height: 160, colour: '#7a3ad0', format: 'jpeg' });
  return { name, mimeType: 'image/jpeg', buffer: whole.subarray(0, Math.floor(whole.length * 0.6)) };
}

/** Waits until the viewer shows some model (the first to finish opens itself) and says which. */
export async function shownModel(page: Page): Promise<string> {
  const handle = await page.waitForFunction(() => document.querySelector<HTMLCanvasElement>('#viewer-canvas')?.dataset.shown || null, undefined, { timeout: GENERATION_TIMEOUT_MS });
  return String(await handle.jsonValue());
}

/** Waits until the viewer shows this file's model, then screenshots the canvas. */
export async function viewerShot(page: Page, fileId: string): Promise<Buffer> {
  const canvas: Locator = page.locator('#viewer-canvas');
  await page.waitForFunction((id) => document.querySelector<HTMLCanvasElement>('#viewer-canvas')?.dataset.shown === id, fileId, { timeout: GENERATION_TIMEOUT_MS });
  return canvas.screenshot();
}

/** The entries of a downloaded ZIP, by name. */
export async function zipEntries(path: string): Promise<Record<string, Uint8Array>> {
  return unzipSync(new Uint8Array(await readFile(path)));
}

/** Presses Tab until `selector` has focus (proving the keyboard reaches it); fails after `max` presses. */
export async function tabTo(page: Page, selector: string, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** The focused element draws a visible outline (the page's :focus-visible style). */
export function focusOutline(page: Page): Promise<string> {
  return page.evaluate(() => {
    const style = document.activeElement ? getComputedStyle(document.activeElement) : null;
    return style ? `${style.outlineStyle} ${style.outlineWidth}` : 'none';
  });
}
