import { DEFAULT_MAX_FILE_SIZE_MB, DEFAULT_MAX_FILES, MAX_IMAGE_PIXELS } from '@image2model/core/limits';

export { MAX_FACE_LIMIT, MIN_FACE_LIMIT } from '@image2model/core/limits';

/** What the server accepts per upload; read from its OpenAPI document so the page agrees with it. */
export interface UploadLimits {
  maxFiles: number;
  maxFileSizeMb: number;
  maxImagePixels: number;
}

/** The server's defaults (docs/configuration.md: MAX_FILES, MAX_FILE_SIZE_MB; the pixel limit is fixed). */
export const DEFAULT_LIMITS: UploadLimits = { maxFiles: DEFAULT_MAX_FILES, maxFileSizeMb: DEFAULT_MAX_FILE_SIZE_MB, maxImagePixels: MAX_IMAGE_PIXELS };

/**
 * The upload operation's description in `/api/v1/openapi.json` spells the configured limits out:
 * "… `files` (1–25 JPEG or PNG images, each at most 10 MiB and 40,000,000 pixels …".
 */
export function parseLimits(document: unknown): UploadLimits | null {
  const description = (document as { paths?: Record<string, { post?: { description?: unknown } }> } | null)?.paths?.['/upload/batch']?.post?.description;
  if (typeof description !== 'string') return null;
  const match = /1–(\d+) JPEG or PNG images, each at most ([\d.]+) MiB and ([\d,]+) pixels/.exec(description);
  if (!match?.[1] || !match[2] || !match[3]) return null;
  const limits = { maxFiles: Number(match[1]), maxFileSizeMb: Number(match[2]), maxImagePixels: Number(match[3].replace(/,/g, '')) };
  return Object.values(limits).every((value) => Number.isFinite(value) && value > 0) ? limits : null;
}

/** The server's limits, or the documented defaults when its document cannot be read. */
export async function fetchLimits(origin: string): Promise<{ limits: UploadLimits; fromServer: boolean }> {
  try {
    const response = await fetch(`${origin}/api/v1/openapi.json`, { headers: { accept: 'application/json' } });
    const limits = response.ok ? parseLimits(await response.json()) : null;
    return limits ? { limits, fromServer: true } : { limits: DEFAULT_LIMITS, fromServer: false };
  } catch {
    return { limits: DEFAULT_LIMITS, fromServer: false };
  }
}

/** The byte limit exactly as the server applies it (a file of exactly MAX_FILE_SIZE_MB passes). */
export function maxFileBytes(limits: UploadLimits): number {
  return Math.floor(limits.maxFileSizeMb * 1024 * 1024);
}
