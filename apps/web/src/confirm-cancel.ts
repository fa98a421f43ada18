import { byId } from './dom.js';

/**
 * Asks before cancelling a whole batch, in the page's modal dialog (index.html, #cancel-dialog):
 * the browser keeps focus inside it, starts on "Keep generating" and closes it on Escape, which
 * answers no. Resolves true only for the confirm button.
 */
export function confirmCancelBatch(count: number): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>('cancel-dialog');
  const files = `${count} file${count === 1 ? '' : 's'}`;
  byId('cancel-dialog-text').textContent =
    `This stops the ${files} still waiting or generating, and cannot be undone: what they made so far is not kept. Retry failed can generate them again later, from the start.`;
  byId('cancel-dialog-confirm').textContent = `Cancel ${files}`;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true }));
}
