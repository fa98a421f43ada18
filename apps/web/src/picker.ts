import { checkFile, formatBytes } from './file-checks.js';
import type { UploadLimits } from './limits.js';
import { damagedPhotoMessage, decodesCompletely } from './photo-decode.js';

export interface PickedPhoto {
  id: number;
  file: File;
  /** Why it cannot be uploaded (the server's reason, or the browser's: damaged), or null. */
  problem: string | null;
  thumbnail: string;
  /** Decoded once, when the photo is added; only asked for once the server's checks pass. */
  decodes: () => Promise<boolean>;
}

export interface PhotoPicker {
  photos(): readonly PickedPhoto[];
  add(files: Iterable<File>): Promise<void>;
  clear(): void;
  setLimits(limits: UploadLimits): Promise<void>;
}

/** Runs `work` on the first call only; later calls get the same promise. */
function once<T>(work: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | null = null;
  return () => (result ??= work());
}

/** The chosen photos: thumbnails, the server's reasons for any it would refuse, and "Remove". */
export function createPhotoPicker(opts: { list: HTMLUListElement; onChange(photos: readonly PickedPhoto[]): void; limits: UploadLimits }): PhotoPicker {
  let photos: PickedPhoto[] = [];
  let limits = opts.limits;
  let nextId = 1;

  // Positions decide "too many files", so every photo is checked again after any change.
  const recheck = async () => {
    await Promise.all(
      photos.map(async (photo, index) => {
        const refusal = await checkFile(photo.file, index, limits);
        if (refusal !== null) photo.problem = `The server would refuse this file: ${refusal}`;
        else photo.problem = (await photo.decodes()) ? null : damagedPhotoMessage(photo.file.name);
      }),
    );
    render();
  };

  const remove = (id: number) => {
    const index = photos.findIndex((photo) => photo.id === id);
    const [removed] = photos.splice(index, 1);
    if (removed) URL.revokeObjectURL(removed.thumbnail);
    void recheck().then(() => {
      // Keep the keyboard where it was: the next photo's Remove button, else the picker.
      const buttons = opts.list.querySelectorAll<HTMLButtonElement>('button.remove');
      (buttons[Math.min(index, buttons.length - 1)] ?? document.getElementById('pick-files'))?.focus();
    });
  };

  const render = () => {
    opts.list.replaceChildren(
      ...photos.map((photo) => {
        const item = document.createElement('li');
        item.className = photo.problem ? 'picked-item refused' : 'picked-item';
        const img = document.createElement('img');
        img.src = photo.thumbnail;
        img.alt = '';
        img.width = 64;
        img.height = 64;
        img.addEventListener('error', () => img.classList.add('broken'), { once: true });
        const text = document.createElement('div');
        const name = document.createElement('span');
        name.className = 'name';
        name.textContent = photo.file.name;
        const size = document.createElement('span');
        size.className = 'help';
        size.textContent = ` ${formatBytes(photo.file.size)}`;
        text.append(name, size);
        if (photo.problem) {
          const problem = document.createElement('p');
          problem.className = 'problem';
          problem.textContent = photo.problem;
          text.append(problem);
        }
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'remove secondary';
        button.textContent = 'Remove';
        button.setAttribute('aria-label', `Remove ${photo.file.name}`);
        button.addEventListener('click', () => remove(photo.id));
        item.append(img, text, button);
        return item;
      }),
    );
    opts.onChange(photos);
  };

  return {
    photos: () => photos,
    async add(files) {
      for (const file of files) photos.push({ id: nextId++, file, problem: null, thumbnail: URL.createObjectURL(file), decodes: once(() => decodesCompletely(file)) });
      await recheck();
    },
    clear() {
      for (const photo of photos) URL.revokeObjectURL(photo.thumbnail);
      photos = [];
      render();
    },
    async setLimits(next) {
      limits = next;
      await recheck();
    },
  };
}
