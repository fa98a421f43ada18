const KEY_STORAGE = 'image2model.apiKey';

/** The API key, kept only in this browser's local storage. */
export function loadApiKey(): string {
  try {
    return localStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

export function saveApiKey(key: string): void {
  if (key === '') localStorage.removeItem(KEY_STORAGE);
  else localStorage.setItem(KEY_STORAGE, key);
}

/** The batch the page shows, from `?job=…&session=…`, so a reload (or a shared link) restores it. */
export function readBatchFromUrl(): { jobId: string; sessionId: string | undefined } | null {
  const params = new URLSearchParams(location.search);
  const jobId = params.get('job');
  return jobId ? { jobId, sessionId: params.get('session') ?? undefined } : null;
}

export function writeBatchToUrl(batch: { jobId: string; sessionId: string } | null): void {
  const url = new URL(location.href);
  url.search = '';
  if (batch) {
    url.searchParams.set('job', batch.jobId);
    url.searchParams.set('session', batch.sessionId);
  }
  history.replaceState(null, '', url);
}
