import { MODEL_FORMATS, type ModelFormat } from '@image2model/client';
import { canCancel, retryCanHelp, type FileState } from './batch-state.js';
import { modelNotices } from './model-notices.js';
import { describeViews } from './views-rules.js';

export interface FileActions {
  view(fileId: string): void;
  download(fileId: string, format: ModelFormat): void;
  retry(fileId: string): void;
  cancel(fileId: string): void;
}

interface Row {
  item: HTMLLIElement;
  photo: HTMLImageElement;
  status: HTMLSpanElement;
  notices: HTMLSpanElement;
  bar: HTMLProgressElement;
  percent: HTMLSpanElement;
  log: HTMLDetailsElement;
  newest: HTMLSpanElement;
  logs: HTMLOListElement;
  error: HTMLParagraphElement;
  view: HTMLButtonElement;
  download: HTMLButtonElement;
  format: HTMLSelectElement;
  retry: HTMLButtonElement;
  cancel: HTMLButtonElement;
  shownLogs: number;
}

const STATUS_TEXT: Record<FileState['status'], string> = {
  pending: 'Waiting',
  processing: 'Generating',
  completed: 'Ready',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** What each format is for, as the download menus name them. */
const FORMAT_LABELS: Record<ModelFormat, string> = {
  glb: 'GLB (web, game engines)',
  stl: 'STL (3D printing)',
  '3mf': '3MF (3D printing)',
  obj: 'OBJ + MTL + texture (ZIP)',
  ply: 'PLY',
  usdz: 'USDZ (AR on iPhone)',
};

/** A menu of the model formats, GLB first. */
export function formatMenu(label: string): HTMLSelectElement {
  const select = element('select', 'format');
  select.setAttribute('aria-label', label);
  for (const format of MODEL_FORMATS) {
    const option = element('option', undefined, FORMAT_LABELS[format]);
    option.value = format;
    select.append(option);
  }
  return select;
}

function button(text: string, label: string, onClick: () => void, className = 'secondary'): HTMLButtonElement {
  const node = element('button', className, text);
  node.type = 'button';
  node.setAttribute('aria-label', label);
  node.addEventListener('click', onClick);
  return node;
}

/**
 * One row per file, built once and updated in place, so focus stays on a button while events
 * keep arriving.
 */
export function createFilesView(list: HTMLOListElement, actions: FileActions) {
  const rows = new Map<string, Row>();

  function build(file: FileState): Row {
    const item = element('li', 'file');
    item.dataset.fileId = file.fileId;
    item.tabIndex = -1;
    const photo = element('img', 'thumb');
    photo.alt = `Photo ${file.filename}`;
    photo.width = 72;
    photo.height = 72;
    const body = element('div', 'file-body');
    const title = element('p', 'file-title');
    const name = element('span', 'name', file.filename);
    const status = element('span', 'badge');
    // Beside "Ready": how the model was made, where it is not what the photo shows (a flat card).
    const notices = element('span', 'notices');
    title.append(name, ' ', status, notices);
    // A model made from several views of one object names the photo of each side.
    const madeFrom = element('p', 'help views-made-from', file.views ? describeViews(file.views) : '');
    madeFrom.hidden = !file.views;
    const progressRow = element('div', 'row');
    const bar = element('progress');
    bar.max = 100;
    bar.id = `progress-${file.fileId}`;
    bar.setAttribute('aria-label', `Progress of ${file.filename}`);
    const percent = element('span', 'percent');
    progressRow.append(bar, percent);
    const error = element('p', 'error');
    error.setAttribute('role', 'alert');
    // Collapsed, the log is one line, its newest, so a long batch does not push the viewer away
    // (a phone); opened, it shows every kept line, scrolled to the newest.
    const log = element('details', 'log');
    const summary = element('summary');
    const newest = element('span', 'newest', 'No log lines yet');
    summary.append(element('span', 'visually-hidden', `Log of ${file.filename}: `), newest);
    const logs = element('ol', 'logs');
    logs.setAttribute('aria-label', `Log of ${file.filename}`);
    log.append(summary, logs);
    log.addEventListener('toggle', () => {
      if (log.open) logs.scrollTop = logs.scrollHeight;
    });
    const buttons = element('div', 'row');
    const view = button('View in 3D', `View ${file.filename} in 3D`, () => actions.view(file.fileId));
    const format = formatMenu(`Format of the model of ${file.filename}`);
    const download = button('Download GLB', `Download the model of ${file.filename}`, () => actions.download(file.fileId, format.value as ModelFormat));
    format.addEventListener('change', () => (download.textContent = `Download ${format.value.toUpperCase()}`));
    // Cancel and Retry need the owner's key: the list shows them only when the page has it (data-manage).
    const retry = button('Retry', `Retry ${file.filename}`, () => actions.retry(file.fileId), 'primary manage');
    const cancel = button('Cancel', `Cancel ${file.filename}`, () => actions.cancel(file.fileId), 'danger manage');
    buttons.append(view, format, download, retry, cancel);
    body.append(title, madeFrom, progressRow, error, buttons, log);
    item.append(photo, body);
    list.append(item);
    return { item, photo, status, notices, bar, percent, log, newest, logs, error, view, download, format, retry, cancel, shownLogs: 0 };
  }

  return {
    clear() {
      rows.clear();
      list.replaceChildren();
    },
    setPhoto(fileId: string, src: string) {
      const row = rows.get(fileId);
      if (row && row.photo.getAttribute('src') !== src) row.photo.src = src;
    },
    update(file: FileState) {
      const row = rows.get(file.fileId) ?? build(file);
      rows.set(file.fileId, row);
      row.item.dataset.status = file.status;
      const notices = modelNotices(file);
      row.item.dataset.warnings = String(notices.some((notice) => notice.tone === 'warn'));
      row.status.textContent = STATUS_TEXT[file.status];
      row.notices.replaceChildren(
        ...notices.map((notice) => {
          const badge = element('span', `badge notice ${notice.tone}`, notice.label);
          badge.dataset.code = notice.code;
          badge.title = notice.message;
          return badge;
        }),
      );
      row.bar.value = file.progress;
      row.percent.textContent = `${file.progress}%`;
      row.error.textContent = file.error ? `Why: ${file.error.message} (${file.error.code})` : '';
      row.error.hidden = !file.error;
      row.view.hidden = file.status !== 'completed';
      row.download.hidden = file.status !== 'completed';
      row.format.hidden = file.status !== 'completed';
      row.retry.hidden = !retryCanHelp(file);
      row.cancel.hidden = !canCancel(file);
      const fresh = Math.min(file.logTotal - row.shownLogs, file.logs.length);
      // Follow the newest line unless the reader scrolled up to read an older one.
      const atEnd = row.logs.scrollHeight - row.logs.scrollTop - row.logs.clientHeight < 4;
      for (const line of file.logs.slice(file.logs.length - fresh)) row.logs.append(element('li', line.level === 'warning' ? 'warning' : '', line.message));
      row.shownLogs = file.logTotal;
      while (row.logs.children.length > file.logs.length) row.logs.firstElementChild?.remove();
      if (atEnd) row.logs.scrollTop = row.logs.scrollHeight;
      const last = file.logs.at(-1);
      if (last) {
        row.newest.textContent = last.message;
        row.newest.className = last.level === 'warning' ? 'newest warning' : 'newest';
      }
    },
  };
}
