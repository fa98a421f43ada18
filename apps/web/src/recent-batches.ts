import type { Image2ModelClient } from '@image2model/client';
import { byId } from './dom.js';
import { describeError } from './messages.js';
import { RECENT_PAGE_SIZE } from './recent-batch-text.js';
import { createRecentBatchesView } from './recent-batches-view.js';
import { takeNewest, takeNext, type RecentList } from './recent-pages.js';

/** While a listed batch runs, the list asks again this often (one small request). */
const RUNNING_REFRESH_MS = 5_000;
/** Ages ("3 minutes ago") are redrawn this often from what the list already has, with no request. */
const AGE_REDRAW_MS = 60_000;
/** jobs.list's largest page: a refresh asks again for every row shown, up to this many (takeNewest keeps the rest). */
const MAX_LIMIT = 100;

/**
 * The "Recent batches" section: the key's newest batches from `jobs.list`, a page at a time,
 * each a button that opens it in the batch view. Lists only with an API key (a batch link's
 * session id lists nothing), and asks again after an upload, cancel or retry and while any runs.
 */
export function createRecentBatches(opts: { client: () => Image2ModelClient; hasKey: () => boolean; open: (jobId: string) => void }) {
  const note = byId('recent-note');
  const errorBox = byId('recent-error');
  const more = byId<HTMLButtonElement>('recent-more');
  const refreshButton = byId<HTMLButtonElement>('recent-refresh');
  const view = createRecentBatchesView(byId<HTMLUListElement>('recent-list'), { open: opts.open });

  let shown: RecentList = { jobs: [], cursor: null };
  /** A newer request (a key change, a refresh) makes an older one's answer stale. */
  let request = 0;
  let loading = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function render(): void {
    view.show(shown.jobs, new Date());
    // An empty list after a failure is not news: the error says what happened.
    note.textContent = shown.jobs.length === 0 && errorBox.textContent === '' ? 'No batches yet for this key: the ones you upload appear here.' : '';
    more.hidden = shown.cursor === null;
    more.disabled = loading;
    clearTimeout(timer);
    if (shown.jobs.some((job) => job.status === 'processing')) timer = setTimeout(() => void refresh(), RUNNING_REFRESH_MS);
  }

  /** Asks for one page and takes it in; `first`: the newest batches again, replacing the list. */
  async function load(first: boolean): Promise<void> {
    clearTimeout(timer);
    if (!opts.hasKey()) {
      request += 1;
      shown = { jobs: [], cursor: null };
      view.show([], new Date());
      note.textContent = 'Recent batches are listed for an API key: enter yours in section 1. A batch link opens its batch without one.';
      errorBox.textContent = '';
      more.hidden = refreshButton.hidden = true;
      return;
    }
    const mine = ++request;
    refreshButton.hidden = false;
    if (shown.jobs.length === 0) note.textContent = 'Loading your batches…';
    loading = true;
    more.disabled = true;
    const limit = first ? Math.min(MAX_LIMIT, Math.max(RECENT_PAGE_SIZE, shown.jobs.length)) : RECENT_PAGE_SIZE;
    try {
      const page = await opts.client().jobs.list.query({ limit, ...(first || shown.cursor === null ? {} : { cursor: shown.cursor }) });
      if (mine !== request) return;
      shown = first ? takeNewest(shown, page) : takeNext(shown, page);
      errorBox.textContent = '';
    } catch (error) {
      if (mine !== request) return;
      errorBox.textContent = `Cannot list the batches: ${describeError(error)}`;
    } finally {
      if (mine === request) {
        loading = false;
        render();
      }
    }
  }

  /** The newest batches again, as many as are shown. A hidden tab waits until it is seen again. */
  function refresh(): Promise<void> {
    if (document.hidden) {
      clearTimeout(timer);
      timer = setTimeout(() => void refresh(), RUNNING_REFRESH_MS);
      return Promise.resolve();
    }
    return load(true);
  }

  more.addEventListener('click', async () => {
    const before = shown.jobs.length;
    await load(false);
    // The button may be gone (the last page): the keyboard goes on to the first new batch.
    const next = shown.jobs[before];
    if (next) view.button(next.job_id)?.focus();
  });
  refreshButton.addEventListener('click', () => void load(true));
  setInterval(() => {
    if (shown.jobs.length > 0) view.show(shown.jobs, new Date());
  }, AGE_REDRAW_MS);

  return {
    refresh,
    /** The key in section 1 changed: a list for that key, from its newest batch. */
    keyChanged(): Promise<void> {
      shown = { jobs: [], cursor: null };
      view.show([], new Date());
      return load(true);
    },
    markOpen: (jobId: string | null) => view.markOpen(jobId),
  };
}
