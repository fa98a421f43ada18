import type { ViewName } from '@image2model/client';
import { checkFile, formatBytes } from './file-checks.js';
import type { UploadLimits } from './limits.js';
import { damagedPhotoMessage, decodesCompletely } from './photo-decode.js';
import { VIEW_LABELS, type ChosenView } from './views-rules.js';

interface PickedView extends ChosenView {
  file: File;
  thumbnail: string;
  /** Decoded once, when the photo is chosen; only asked for once the server's checks pass. */
  decodes: Promise<boolean>;
}

export interface ViewsPicker {
  /** The photo chosen for each side. */
  files(): Partial<Record<ViewName, File>>;
  /** What the rules need: each chosen photo's name and problem. */
  chosen(): Partial<Record<ViewName, ChosenView>>;
  clear(): void;
  setLimits(limits: UploadLimits): Promise<void>;
}

const ACCEPT = 'image/jpeg,image/png,.jpg,.jpeg,.png';

/**
 * Four labelled drop zones, one photo each (front, left, back, right): the photo's thumbnail, name
 * and size, the server's reason for refusing it, and "Remove". Checked as the batch picker checks
 * photos (the server's limits, a full decode).
 */
export function createViewsPicker(opts: { list: HTMLUListElement; limits: UploadLimits; onChange(): void }): ViewsPicker {
  const picked: Partial<Record<ViewName, PickedView>> = {};
  let limits = opts.limits;
  const zones = new Map<ViewName, { item: HTMLLIElement; body: HTMLDivElement; choose: HTMLButtonElement; remove: HTMLButtonElement }>();

  const check = async (view: ViewName) => {
    const photo = picked[view];
    if (!photo) return;
    // One photo of one file: "too many files" never applies, so it is checked as the first.
    const refusal = await checkFile(photo.file, 0, limits);
    if (refusal !== null) photo.problem = `The server would refuse this file: ${refusal}`;
    else photo.problem = (await photo.decodes) ? null : damagedPhotoMessage(photo.file.name);
  };

  const render = (view: ViewName) => {
    const zone = zones.get(view);
    if (!zone) return;
    const photo = picked[view];
    zone.item.classList.toggle('chosen', photo !== undefined);
    zone.item.classList.toggle('refused', Boolean(photo?.problem));
    zone.choose.textContent = photo ? 'Replace…' : 'Choose photo…';
    zone.choose.setAttribute('aria-label', `${photo ? 'Replace' : 'Choose'} the ${view} photo`);
    zone.remove.hidden = !photo;
    if (!photo) {
      zone.body.replaceChildren(Object.assign(document.createElement('p'), { className: 'help', textContent: 'Drop a photo here' }));
      return;
    }
    zone.remove.setAttribute('aria-label', `Remove the ${view} view ${photo.file.name}`);
    const img = document.createElement('img');
    img.src = photo.thumbnail;
    img.alt = '';
    img.width = 64;
    img.height = 64;
    const name = Object.assign(document.createElement('span'), { className: 'name', textContent: photo.file.name });
    const size = Object.assign(document.createElement('span'), { className: 'help', textContent: ` ${formatBytes(photo.file.size)}` });
    const text = document.createElement('div');
    text.append(name, size);
    if (photo.problem) text.append(Object.assign(document.createElement('p'), { className: 'problem', textContent: photo.problem }));
    zone.body.replaceChildren(img, text);
  };

  const set = (view: ViewName, file: File | null) => {
    const old = picked[view];
    if (old) URL.revokeObjectURL(old.thumbnail);
    if (file) picked[view] = { file, name: file.name, problem: null, thumbnail: URL.createObjectURL(file), decodes: decodesCompletely(file) };
    else delete picked[view];
    render(view);
    opts.onChange();
    if (!file) return;
    void check(view).then(() => {
      // A photo replaced meanwhile has its own check.
      if (picked[view]?.file !== file) return;
      render(view);
      opts.onChange();
    });
  };

  for (const view of Object.keys(VIEW_LABELS) as ViewName[]) {
    const item = Object.assign(document.createElement('li'), { className: 'view-zone' });
    item.dataset.view = view;
    const heading = Object.assign(document.createElement('h3'), { id: `view-${view}-label`, textContent: VIEW_LABELS[view] });
    const body = document.createElement('div');
    body.className = 'view-body';
    const input = Object.assign(document.createElement('input'), { type: 'file', id: `view-${view}-input`, accept: ACCEPT, hidden: true });
    input.setAttribute('aria-labelledby', `view-${view}-label`);
    const choose = Object.assign(document.createElement('button'), { type: 'button', className: 'secondary' });
    choose.addEventListener('click', () => input.click());
    const remove = Object.assign(document.createElement('button'), { type: 'button', className: 'remove secondary', textContent: 'Remove' });
    remove.addEventListener('click', () => {
      set(view, null);
      choose.focus();
    });
    const actions = Object.assign(document.createElement('div'), { className: 'row' });
    actions.append(choose, remove);
    input.addEventListener('change', () => {
      const [file] = input.files ?? [];
      if (file) set(view, file);
      input.value = '';
    });
    item.addEventListener('dragover', (event) => {
      event.preventDefault();
      item.classList.add('dragging');
    });
    item.addEventListener('dragleave', () => item.classList.remove('dragging'));
    item.addEventListener('drop', (event) => {
      event.preventDefault();
      item.classList.remove('dragging');
      const [file] = event.dataTransfer?.files ?? [];
      if (file) set(view, file);
    });
    item.append(heading, body, actions, input);
    opts.list.append(item);
    zones.set(view, { item, body, choose, remove });
    render(view);
  }

  const views = () => Object.keys(picked) as ViewName[];
  return {
    files: () => Object.fromEntries(views().map((view) => [view, picked[view]?.file])),
    chosen: () => Object.fromEntries(views().map((view) => [view, { name: picked[view]?.name ?? '', problem: picked[view]?.problem ?? null }])),
    clear() {
      for (const view of views()) set(view, null);
    },
    async setLimits(next) {
      limits = next;
      await Promise.all(views().map(check));
      for (const view of views()) render(view);
      opts.onChange();
    },
  };
}
