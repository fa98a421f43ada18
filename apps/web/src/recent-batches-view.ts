import type { JobListItem } from '@image2model/client';
import { expiryText, progressText, sizeText, statusText } from './recent-batch-text.js';
import { exactTime, timeAgo } from './relative-time.js';

interface Row {
  item: HTMLLIElement;
  open: HTMLButtonElement;
  status: HTMLSpanElement;
  bar: HTMLProgressElement;
  progress: HTMLSpanElement;
  age: HTMLTimeElement;
  expiry: HTMLSpanElement;
}

function span(className: string, text = ''): HTMLSpanElement {
  const node = document.createElement('span');
  node.className = className;
  node.textContent = text;
  return node;
}

/**
 * One row per batch, a button that opens it; rows are kept by job id and updated in place, so
 * a refresh neither moves the keyboard's focus nor redraws what did not change.
 */
export function createRecentBatchesView(list: HTMLUListElement, opts: { open(jobId: string): void }) {
  const rows = new Map<string, Row>();
  let openId: string | null = null;

  function build(jobId: string): Row {
    const item = document.createElement('li');
    item.dataset.jobId = jobId;
    const open = document.createElement('button');
    open.type = 'button';
    open.className = 'recent-batch';
    open.addEventListener('click', () => opts.open(jobId));
    const status = span('badge');
    const head = span('recent-head');
    head.append(status, ' ', span('recent-id', `Batch ${jobId}`));
    const bar = document.createElement('progress');
    bar.max = 100;
    // The text beside it says the same in words, with the counts.
    bar.setAttribute('aria-hidden', 'true');
    const progress = span('recent-progress');
    const meter = span('recent-meter');
    meter.append(bar, ' ', progress);
    const age = document.createElement('time');
    const expiry = span('recent-expiry');
    const times = span('recent-times');
    times.append(age, expiry);
    open.append(head, meter, times);
    item.append(open);
    return { item, open, status, bar, progress, age, expiry };
  }

  function update(row: Row, job: JobListItem, now: Date): void {
    row.item.dataset.status = job.status;
    row.status.textContent = statusText(job.status);
    row.bar.value = job.progress;
    row.progress.textContent = `${progressText(job)} (${sizeText(job)})`;
    row.age.dateTime = job.created_at;
    row.age.textContent = `uploaded ${timeAgo(job.created_at, { now })}`;
    row.age.title = exactTime(job.created_at);
    const expiry = expiryText(job, { now });
    row.expiry.textContent = expiry ? `, ${expiry}` : '';
    if (job.job_id === openId) row.open.setAttribute('aria-current', 'true');
    else row.open.removeAttribute('aria-current');
  }

  return {
    /** Shows exactly these batches, in this order (newest first). */
    show(jobs: readonly JobListItem[], now: Date): void {
      const keep = new Set(jobs.map((job) => job.job_id));
      for (const [jobId, row] of rows) {
        if (keep.has(jobId)) continue;
        row.item.remove();
        rows.delete(jobId);
      }
      jobs.forEach((job, index) => {
        const row = rows.get(job.job_id) ?? build(job.job_id);
        rows.set(job.job_id, row);
        update(row, job, now);
        // Moving a node that is already in place would drop its focus.
        if (list.children[index] !== row.item) list.insertBefore(row.item, list.children[index] ?? null);
      });
    },
    /** Marks the batch the page shows (or none). */
    markOpen(jobId: string | null): void {
      openId = jobId;
      for (const [id, row] of rows) {
        if (id === jobId) row.open.setAttribute('aria-current', 'true');
        else row.open.removeAttribute('aria-current');
      }
    },
    /** The row's button, to move the keyboard to it. */
    button: (jobId: string): HTMLButtonElement | undefined => rows.get(jobId)?.open,
  };
}
