import type { EmulatorState, StoredFile } from './state.js';

/** The largest image the emulator downloads from elsewhere (FAL's own limit is larger; photos are far smaller). */
const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
/** A download that takes longer fails, as FAL's would. */
const FETCH_TIMEOUT_MS = 10_000;

/**
 * An `image_url` on another host (a presigned bucket URL): downloaded as FAL would, with a plain
 * GET and no credentials, and recorded in `state.fetches`. Undefined when it cannot be had, which
 * the request answers as FAL does (`file_download_error`).
 */
export async function fetchRemoteImage(state: EmulatorState, url: string): Promise<StoredFile | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  const record: EmulatorState['fetches'][number] = { url, status: null, size: 0, at: Date.now() };
  state.fetches.push(record);
  try {
    const res = await fetch(parsed, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    record.status = res.status;
    if (!res.ok) return undefined;
    const bytes = Buffer.from(await res.arrayBuffer());
    record.size = bytes.length;
    if (bytes.length > MAX_IMAGE_BYTES) return undefined;
    return { bytes, content_type: res.headers.get('content-type') ?? 'application/octet-stream', file_name: parsed.pathname.split('/').pop() ?? 'image' };
  } catch {
    return undefined;
  }
}
