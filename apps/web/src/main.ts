import './styles.css';
import { createImage2ModelClient, type Image2ModelClient } from '@image2model/client';
import { createBatchController } from './batch-controller.js';
import { byId } from './dom.js';
import { DEFAULT_LIMITS, fetchLimits, MAX_FACE_LIMIT, MIN_FACE_LIMIT } from './limits.js';
import { describeError, isWebhookUrlError, retryAfterSeconds } from './messages.js';
import { savePhotos } from './photo-store.js';
import { createPhotoPicker } from './picker.js';
import { createRecentBatches } from './recent-batches.js';
import { createViewsPicker } from './views-picker.js';
import { multiviewSources, viewsReadiness } from './views-rules.js';
import { loadApiKey, readBatchFromUrl, saveApiKey, writeBatchToUrl } from './settings.js';
import { createModelViewer, type ModelViewer } from './viewer.js';

const keyInput = byId<HTMLInputElement>('api-key');
const keyStatus = byId('key-status');
const fileInput = byId<HTMLInputElement>('file-input');
const dropZone = byId('drop-zone');
const startButton = byId<HTMLButtonElement>('start');
const uploadError = byId('upload-error');
const presetSelect = byId<HTMLSelectElement>('face-preset');
const faceInput = byId<HTMLInputElement>('face-limit');
const webhookInput = byId<HTMLInputElement>('webhook-url');
const webhookError = byId('webhook-error');

/** The key in the box, saved or not (a pasted key counts), else the saved one. */
const currentKey = (): string => keyInput.value.trim() || loadApiKey();
/** A client with the key as it is now: a key pasted or saved since takes effect on the next request. */
const client = (): Image2ModelClient => createImage2ModelClient({ baseUrl: location.origin, apiKey: currentKey() || undefined });

// --- API key -------------------------------------------------------------------------------
function showKeyStatus(): void {
  const typed = keyInput.value.trim();
  const saved = loadApiKey();
  if (typed !== '' && typed !== saved) keyStatus.textContent = 'This key is used as it is. Save key keeps it in this browser for next time (optional).';
  else keyStatus.textContent = saved ? 'A key is saved in this browser.' : 'No key yet: paste the server’s key above.';
}
keyInput.value = loadApiKey();
showKeyStatus();
keyInput.addEventListener('input', () => {
  showKeyStatus();
  uploadError.textContent = '';
});
// A batch on the page may be cancelled and retried only with the key that uploaded it: ask again
// once a key is committed (not on every keystroke).
keyInput.addEventListener('change', keyChanged);
byId<HTMLFormElement>('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  saveApiKey(keyInput.value.trim());
  showKeyStatus();
  uploadError.textContent = '';
  keyChanged();
});
byId('forget-key').addEventListener('click', () => {
  saveApiKey('');
  keyInput.value = '';
  showKeyStatus();
  keyChanged();
});
function keyChanged(): void {
  batch.keyChanged();
  void recent.keyChanged();
}

// --- photos and face limit -----------------------------------------------------------------
let busy = false;
let coolDownUntil = 0;
const countOf = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;
const faceLimit = (): number | null => {
  const value = Number(faceInput.value);
  return Number.isInteger(value) && value >= MIN_FACE_LIMIT && value <= MAX_FACE_LIMIT ? value : null;
};
/** "One photo per model" (a batch) or "Several views of one object" (one model from its sides). */
const multiview = (): boolean => byId<HTMLInputElement>('upload-mode').querySelector<HTMLInputElement>('input:checked')?.value === 'multiview';
const START_TEXT = { single: 'Make 3D models', multiview: 'Make one 3D model' };
/** Whether the photos of the chosen mode make an upload; says why not under them. */
function photosReady(): boolean {
  if (multiview()) {
    const { ready, summary } = viewsReadiness(views.chosen());
    byId('views-summary').textContent = summary;
    return ready;
  }
  const photos = picker.photos();
  const refused = photos.filter((photo) => photo.problem).length;
  const summary = byId('picked-summary');
  if (photos.length === 0) summary.textContent = '';
  else if (refused > 0) summary.textContent = `${countOf(photos.length, 'photo')}, ${refused} that cannot be used: remove ${refused === 1 ? 'it' : 'them'} first (one bad file stops the whole batch).`;
  else summary.textContent = `${countOf(photos.length, 'photo')} ready.`;
  return photos.length > 0 && refused === 0;
}
function updateStart(): void {
  faceInput.setAttribute('aria-invalid', String(faceLimit() === null));
  const ready = photosReady();
  if (!busy) startButton.textContent = START_TEXT[multiview() ? 'multiview' : 'single'];
  startButton.disabled = busy || !ready || faceLimit() === null || Date.now() < coolDownUntil;
}
const picker = createPhotoPicker({ list: byId<HTMLUListElement>('picked'), limits: DEFAULT_LIMITS, onChange: updateStart });
const views = createViewsPicker({ list: byId<HTMLUListElement>('views'), limits: DEFAULT_LIMITS, onChange: updateStart });
byId('upload-mode').addEventListener('change', () => {
  byId('single-photos').hidden = multiview();
  byId('multiview-photos').hidden = !multiview();
  uploadError.textContent = '';
  updateStart();
});

byId('pick-files').addEventListener('click', () => fileInput.click());
fileInput.addEventListener('change', () => {
  void picker.add([...(fileInput.files ?? [])]);
  fileInput.value = '';
});
dropZone.addEventListener('dragover', (event) => {
  event.preventDefault();
  dropZone.classList.add('dragging');
});
dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  dropZone.classList.remove('dragging');
  void picker.add([...(event.dataTransfer?.files ?? [])]);
});
presetSelect.addEventListener('change', () => {
  if (presetSelect.value !== 'custom') faceInput.value = presetSelect.value;
  else faceInput.focus();
  updateStart();
});
webhookInput.addEventListener('input', () => {
  webhookError.textContent = '';
  webhookInput.removeAttribute('aria-invalid');
});
faceInput.addEventListener('input', () => {
  const preset = [...presetSelect.options].find((option) => option.value === faceInput.value);
  presetSelect.value = preset ? preset.value : 'custom';
  updateStart();
});

void fetchLimits(location.origin).then(({ limits, fromServer }) => {
  byId('limits').textContent = `Up to ${limits.maxFiles} photos per batch, each at most ${limits.maxFileSizeMb} MB and ${limits.maxImagePixels.toLocaleString('en')} pixels${fromServer ? '' : ' (the documented defaults: the server did not say)'}.`;
  return Promise.all([picker.setLimits(limits), views.setLimits(limits)]);
});

// --- viewer and batch ----------------------------------------------------------------------
let viewer: ModelViewer | null = null;
try {
  viewer = createModelViewer(byId<HTMLCanvasElement>('viewer-canvas'));
} catch {
  byId('viewer-status').textContent = 'This browser cannot show 3D (WebGL is off): download the models and open them in any glTF viewer.';
}
const viewerButtons: Record<string, (v: ModelViewer) => void> = {
  'rotate-left': (v) => v.rotate('left'),
  'rotate-right': (v) => v.rotate('right'),
  'zoom-in': (v) => v.zoom('in'),
  'zoom-out': (v) => v.zoom('out'),
  'reset-view': (v) => v.reset(),
};
for (const [id, action] of Object.entries(viewerButtons)) byId(id).addEventListener('click', () => viewer && action(viewer));

const hasKey = (): boolean => currentKey() !== '';
// A listed batch opens the way a batch link does (by its id, with the key instead of a session id).
const recent = createRecentBatches({
  client,
  hasKey,
  open: (jobId) => void batch.restore(jobId, undefined).then(() => byId('batch-heading').focus()),
});
const batch = createBatchController({ client, hasKey, viewer, shown: recent.markOpen, changed: () => void recent.refresh() });

startButton.addEventListener('click', async () => {
  const limit = faceLimit();
  const asViews = multiview();
  const sources = asViews ? multiviewSources(views.files()) : null;
  const photos = picker.photos();
  if (limit === null || (asViews ? sources === null : photos.length === 0)) return;
  busy = true;
  updateStart();
  startButton.textContent = 'Uploading…';
  uploadError.textContent = '';
  webhookError.textContent = '';
  webhookInput.removeAttribute('aria-invalid');
  const webhookUrl = webhookInput.value.trim();
  const options = { faceLimit: limit, ...(webhookUrl ? { webhookUrl } : {}) };
  try {
    const job = sources ? await client().uploadMultiview(sources, options) : await client().upload(photos.map((photo) => photo.file), options);
    // The server keeps the upload order: the n-th file id belongs to the n-th photo. Views make one
    // file, whose photo is the front (as the server's photo download is).
    const blobs = new Map(job.files.map((file, index) => [file.file_id, (sources ? sources.front : photos[index]?.file) ?? new Blob()]));
    await savePhotos(job.job_id, blobs);
    writeBatchToUrl({ jobId: job.job_id, sessionId: job.session_id });
    batch.open(
      { job_id: job.job_id, session_id: job.session_id, files: job.files.map((file) => ({ ...file, progress: 0, model_url: null, preview_url: null, model_task_id: null, face_limit: limit, error: null, warnings: [], shape: null })) },
      new Map([...blobs].map(([fileId, blob]) => [fileId, URL.createObjectURL(blob)])),
    );
    if (sources) views.clear();
    else picker.clear();
    byId('batch-heading').focus();
    void recent.refresh();
  } catch (error) {
    if (isWebhookUrlError(error)) {
      // Said next to the field it is about, which takes the focus.
      webhookError.textContent = describeError(error);
      webhookInput.setAttribute('aria-invalid', 'true');
      webhookInput.focus();
    } else uploadError.textContent = describeError(error);
    const wait = retryAfterSeconds(error);
    if (wait !== null) {
      coolDownUntil = Date.now() + wait * 1000;
      setTimeout(updateStart, wait * 1000 + 50);
    }
  } finally {
    busy = false;
    updateStart();
  }
});

byId('new-batch').addEventListener('click', () => {
  batch.close();
  writeBatchToUrl(null);
  byId('photos-heading').focus();
});

const fromUrl = readBatchFromUrl();
if (fromUrl) void batch.restore(fromUrl.jobId, fromUrl.sessionId);
void recent.keyChanged();
