import type { Image2ModelClient } from '@image2model/client';
import { isRunning, markCancelled, markRetrying, retryPlan, type BatchState } from './batch-state.js';
import { confirmCancelBatch } from './confirm-cancel.js';
import { byId } from './dom.js';
import { checkManageAccess } from './manage-access.js';

const countOf = (count: number): string => `${count} file${count === 1 ? '' : 's'}`;

/**
 * The batch's cancel and retry: "Cancel batch", "Retry failed" and each file's Cancel and Retry,
 * shown only to the key that uploaded the batch, with what each click did said in a live region.
 */
export function createBatchManage(opts: {
  client: () => Image2ModelClient;
  hasKey: () => boolean;
  state: () => BatchState | null;
  /** These files changed locally: draw them (and the summary) again. */
  changed: (fileIds: readonly string[]) => void;
  /** Files were queued again: follow the stream once more. */
  restarted: () => void;
  showError: (error: unknown) => void;
}) {
  const cancelBatch = byId<HTMLButtonElement>('cancel-batch');
  const retryFailed = byId<HTMLButtonElement>('retry-failed');
  const help = byId('manage-help');
  const message = byId('batch-message');
  const list = byId<HTMLOListElement>('files');
  let allowed = false;
  let check = 0;
  let busy = false;

  function render(): void {
    const state = opts.state();
    const running = state !== null && isRunning(state);
    const retryable = state ? retryPlan(state).retry.length : 0;
    cancelBatch.hidden = !running;
    retryFailed.hidden = retryable === 0;
    retryFailed.textContent = `Retry failed (${retryable})`;
    cancelBatch.disabled = retryFailed.disabled = !allowed || busy;
    list.dataset.manage = String(allowed);
    help.hidden = allowed || help.textContent === '' || (cancelBatch.hidden && retryFailed.hidden);
  }

  /** Asks the server whether the key now in section 1 may change this batch; a newer check wins. */
  async function checkAccess(): Promise<void> {
    const state = opts.state();
    const mine = ++check;
    allowed = false;
    help.textContent = '';
    render();
    if (!state) return;
    const access = await checkManageAccess(opts.client(), state.jobId, opts.hasKey());
    if (mine !== check || opts.state() !== state) return;
    allowed = access.allowed;
    help.textContent = access.allowed ? '' : access.reason;
    render();
  }

  /** Runs one request with the controls off, so a double click sends it once. */
  async function run(work: (state: BatchState) => Promise<void>): Promise<void> {
    const state = opts.state();
    if (!state || busy) return;
    busy = true;
    opts.showError(null);
    render();
    try {
      await work(state);
    } catch (error) {
      if (opts.state() === state) opts.showError(error);
    } finally {
      busy = false;
      render();
    }
  }

  /** Every unfinished file (body `{}`), or the ones named; the stream then brings their `cancelled` events. */
  function cancel(fileIds?: readonly string[]): Promise<void> {
    return run(async (state) => {
      const answer = await opts.client().jobs.cancel.mutate({ job_id: state.jobId, ...(fileIds ? { file_ids: [...fileIds] } : {}) });
      if (opts.state() !== state) return;
      markCancelled(state, answer.cancelled_file_ids);
      opts.changed(answer.cancelled_file_ids);
      const names = answer.cancelled_file_ids.map((id) => state.files.get(id)?.filename ?? id);
      message.textContent =
        names.length === 0
          ? 'Nothing was left to cancel: those files had already finished.'
          : names.length === 1
            ? `Cancelled ${names[0]}: it keeps its last progress and can be retried.`
            : `Cancelled ${countOf(names.length)}: they keep their last progress and can be retried.`;
    });
  }

  /**
   * Generates these files again in one request (jobs.retry with their ids). The page always names
   * the files: the server's retry of the whole job would also regenerate photos whose failure was
   * their own (retryCanHelp), which fail again, and with FAL each one is a new paid request.
   */
  function retry(fileIds: readonly string[], leftOut = 0): Promise<void> {
    return run(async (state) => {
      const answer = await opts.client().jobs.retry.mutate({ job_id: state.jobId, file_ids: [...fileIds] });
      if (opts.state() !== state) return;
      markRetrying(state, answer.retried_file_ids);
      opts.changed(answer.retried_file_ids);
      const skipped = leftOut > 0 ? ` ${countOf(leftOut)} left out: ${leftOut === 1 ? 'its photo' : 'their photos'} cannot be used, so retrying cannot help (upload a complete copy in a new batch).` : '';
      message.textContent = `Retrying ${countOf(answer.retried_file_ids.length)}.${skipped}`;
      opts.restarted();
    });
  }

  cancelBatch.addEventListener('click', async () => {
    const state = opts.state();
    if (!state || busy) return;
    const unfinished = [...state.files.values()].filter((file) => file.status === 'pending' || file.status === 'processing').length;
    if (!(await confirmCancelBatch(unfinished))) return;
    await cancel();
    // The button is gone now that nothing runs: keep the keyboard near it.
    (retryFailed.hidden || retryFailed.disabled ? byId('batch-heading') : retryFailed).focus();
  });

  retryFailed.addEventListener('click', async () => {
    const state = opts.state();
    if (!state) return;
    const plan = retryPlan(state);
    await retry(plan.retry.map((file) => file.fileId), plan.leftOut.length);
    if (retryFailed.hidden) byId('batch-heading').focus();
  });

  return {
    render,
    checkAccess,
    cancel,
    retry,
    reset(): void {
      check += 1;
      allowed = false;
      busy = false;
      message.textContent = '';
      help.textContent = '';
      render();
    },
  };
}
