import type { Image2ModelClient, JobStatus, ModelFormat, TrackedJobEvent } from '@image2model/client';
import { applyEvent, batchProgress, createBatchState, isRunning, type BatchState } from './batch-state.js';
import { createBatchManage } from './batch-manage.js';
import { createBatchWebhooks } from './batch-webhooks.js';
import { createFilesView, formatMenu } from './batch-view.js';
import { byId, saveBlob } from './dom.js';
import { describeExpiry } from './expiry.js';
import { describeError } from './messages.js';
import { showPrintReport } from './print-report-view.js';
import { loadPhotos } from './photo-store.js';
import { writeBatchToUrl } from './settings.js';
import type { ModelViewer } from './viewer.js';

/** The batch section and the viewer: follows the job's event stream, cancels, retries, downloads. */
export function createBatchController(opts: {
  client: () => Image2ModelClient;
  hasKey: () => boolean;
  viewer: ModelViewer | null;
  /** The batch shown is now this one (null: none). */
  shown: (jobId: string | null) => void;
  /** The batch's status changed on the server: this page cancelled or retried files, or it finished. */
  changed: () => void;
}) {
  const section = byId('batch');
  const bar = byId<HTMLProgressElement>('batch-progress');
  const summary = byId('batch-summary');
  const errorBox = byId('batch-error');
  const downloadAll = byId<HTMLButtonElement>('download-all');
  const downloadAllFormat = formatMenu('Format of the models in the ZIP');
  downloadAll.before(downloadAllFormat);
  const expiry = byId('batch-expiry');
  const sourcePhoto = byId<HTMLImageElement>('source-photo');
  const sourceCaption = byId('source-caption');
  const viewerStatus = byId('viewer-status');
  const printReport = byId('print-report');
  const canvas = byId<HTMLCanvasElement>('viewer-canvas');
  const viewerSection = byId('viewer-section');
  const viewerControls = [...byId('viewer-section').querySelectorAll<HTMLButtonElement>('.viewer-controls button')];
  /** The viewer's buttons work only on a model: off until one is drawn, and again for a new batch. */
  const enableViewerControls = (enabled: boolean) => viewerControls.forEach((control) => (control.disabled = !enabled));

  let state: BatchState | null = null;
  let following: AbortController | null = null;
  const photos = new Map<string, string>();
  const models = new Map<string, { blob: Blob; filename: string }>();
  let shown: string | null = null;
  let viewRequest = 0;

  const files = createFilesView(byId<HTMLOListElement>('files'), {
    view: (fileId) => void view(fileId, { focus: true }),
    download: (fileId, format) => void download(fileId, format),
    retry: (fileId) => void changeOne(fileId, (id) => manage.retry([id])),
    cancel: (fileId) => void changeOne(fileId, (id) => manage.cancel([id])),
  });

  const showError = (error: unknown) => (errorBox.textContent = error === null ? '' : describeError(error));
  const manage = createBatchManage({
    client: opts.client,
    hasKey: opts.hasKey,
    state: () => state,
    changed: (fileIds) => {
      for (const fileId of fileIds) {
        models.delete(fileId);
        const file = state?.files.get(fileId);
        if (file) files.update(file);
      }
      renderSummary();
      opts.changed();
    },
    restarted: () => void follow(),
    showError,
  });
  const webhooks = createBatchWebhooks({ client: opts.client, hasKey: opts.hasKey, jobId: () => state?.jobId ?? null });
  const access = () => (state ? { sessionId: state.sessionId } : {});

  function renderSummary(): void {
    if (!state) return;
    const { percent, completed, failed, cancelled, total } = batchProgress(state);
    bar.value = percent;
    bar.setAttribute('aria-valuetext', `${Math.round(percent)}%`);
    const running = total - completed - failed - cancelled;
    summary.textContent = `${Math.round(percent)}%: ${completed} of ${total} ready${failed ? `, ${failed} failed` : ''}${cancelled ? `, ${cancelled} cancelled` : ''}${running ? `, ${running} in progress` : ''}`;
    downloadAll.disabled = completed === 0;
    if (isRunning(state)) {
      expiry.hidden = true;
      expiry.textContent = '';
    }
    manage.render();
  }

  /** When retention deletes the finished batch: the status says, the stream's `done` does not. */
  async function showExpiry(): Promise<void> {
    const current = state;
    if (!current) return;
    try {
      const job = await opts.client().status.get.query({ job_id: current.jobId, session_id: current.sessionId });
      if (state !== current || job.status === 'processing' || isRunning(current)) return;
      expiry.textContent = describeExpiry(job.expires_at, { now: new Date() });
      expiry.hidden = false;
    } catch {
      // Only a hint: the batch works without it, and a server that cannot answer shows elsewhere.
    }
  }

  /** The file's photo: this browser's copy, else (a batch link opened elsewhere) the server's. */
  function photoOf(fileId: string): string | null {
    const local = photos.get(fileId);
    if (local) return local;
    if (!state) return null;
    const { jobId, sessionId } = state;
    return `/api/v1/download/${encodeURIComponent(jobId)}/${encodeURIComponent(fileId)}/photo?session_id=${encodeURIComponent(sessionId)}`;
  }

  function showPhoto(fileId: string): void {
    const photo = photoOf(fileId);
    if (photo) files.setPhoto(fileId, photo);
  }

  function onEvent(event: TrackedJobEvent): void {
    if (!state) return;
    const file = applyEvent(state, event);
    if (file) files.update(file);
    renderSummary();
    if (event.type === 'done') {
      void showExpiry();
      webhooks.finished();
      opts.changed();
    }
    if (event.type === 'completed' && (shown === null || shown === event.file_id)) {
      models.delete(event.file_id);
      void view(event.file_id, { focus: false });
    }
  }

  /** Follows the stream until the job is done; started again after a retry when it had ended. */
  async function follow(): Promise<void> {
    if (!state || following) return;
    const current = state;
    const abort = new AbortController();
    following = abort;
    try {
      for await (const event of opts.client().events(current.jobId, { lastEventId: current.lastEventId, sessionId: current.sessionId, signal: abort.signal })) {
        if (state !== current) return;
        onEvent(event);
      }
    } catch (error) {
      if (!abort.signal.aborted) showError(error);
    } finally {
      if (following === abort) following = null;
    }
    // A retry that raced the end of the stream: its events come after the `done` we just saw.
    if (state === current && !abort.signal.aborted && isRunning(current) && errorBox.textContent === '') void follow();
  }

  async function modelOf(fileId: string): Promise<{ blob: Blob; filename: string }> {
    if (!state) throw new Error('no batch');
    const cached = models.get(fileId);
    if (cached) return cached;
    const download = await opts.client().downloadModel(state.jobId, fileId, access());
    const model = { blob: await new Response(download.stream).blob(), filename: download.filename };
    models.set(fileId, model);
    return model;
  }

  async function view(fileId: string, { focus }: { focus: boolean }): Promise<void> {
    const file = state?.files.get(fileId);
    if (!file || !opts.viewer) return;
    const request = ++viewRequest;
    shown = fileId;
    viewerStatus.textContent = `Loading the model of ${file.filename}…`;
    try {
      const { blob } = await modelOf(fileId);
      if (request !== viewRequest) return;
      await opts.viewer.show(await blob.arrayBuffer());
      if (request !== viewRequest) return;
      canvas.dataset.shown = fileId;
      enableViewerControls(true);
      viewerStatus.textContent = `${file.filename}: drag or use the arrow keys to rotate, wheel or +/- to zoom.`;
      const photo = photoOf(fileId);
      if (photo) sourcePhoto.src = photo;
      else sourcePhoto.removeAttribute('src');
      sourcePhoto.alt = `Source photo ${file.filename}`;
      sourcePhoto.hidden = !photo;
      sourceCaption.textContent = `Source: ${file.filename}`;
      void showReport(fileId, file.filename, request);
      if (focus) canvas.focus();
    } catch (error) {
      if (request === viewRequest) viewerStatus.textContent = `Cannot show the model of ${file.filename}: ${describeError(error)}`;
    }
  }

  /** The shown model's print report, once the server has measured it (a later view replaces it). */
  async function showReport(fileId: string, filename: string, request: number): Promise<void> {
    if (!state) return;
    showPrintReport(printReport, { text: `Checking whether ${filename} can be printed…` });
    try {
      const report = await opts.client().printReport(state.jobId, fileId, access());
      if (request === viewRequest) showPrintReport(printReport, report);
    } catch (error) {
      if (request === viewRequest) showPrintReport(printReport, { text: `No print report for ${filename}: ${describeError(error)}` });
    }
  }

  /** The GLB is the viewer's (already fetched once); other formats are converted by the server. */
  async function download(fileId: string, format: ModelFormat): Promise<void> {
    showError(null);
    try {
      if (format !== 'glb' && state) {
        const converted = await opts.client().downloadModel(state.jobId, fileId, { ...access(), format });
        saveBlob(await new Response(converted.stream).blob(), converted.filename);
        return;
      }
      const model = await modelOf(fileId);
      saveBlob(model.blob, model.filename);
    } catch (error) {
      showError(error);
    }
  }

  /** A file's own Cancel or Retry; its button goes away, so the keyboard stays on the file's row. */
  async function changeOne(fileId: string, change: (fileId: string) => Promise<void>): Promise<void> {
    const before = state?.files.get(fileId)?.status;
    await change(fileId);
    if (state?.files.get(fileId)?.status !== before) byId(`progress-${fileId}`).closest('li')?.focus();
  }

  downloadAll.addEventListener('click', async () => {
    if (!state) return;
    showError(null);
    downloadAll.disabled = true;
    try {
      const zip = await opts.client().downloadAll(state.jobId, { ...access(), format: downloadAllFormat.value as ModelFormat });
      saveBlob(await new Response(zip.stream).blob(), zip.filename);
    } catch (error) {
      showError(error);
    } finally {
      renderSummary();
    }
  });

  function open(job: Pick<JobStatus, 'job_id' | 'session_id' | 'files'>, sourcePhotos: Map<string, string>): void {
    close();
    state = createBatchState(job);
    for (const [fileId, url] of sourcePhotos) photos.set(fileId, url);
    for (const file of state.files.values()) {
      files.update(file);
      showPhoto(file.fileId);
    }
    byId('batch-id').textContent = `Batch ${job.job_id}. This page's address brings it back.`;
    section.hidden = false;
    viewerSection.hidden = false;
    manage.reset();
    webhooks.reset();
    renderSummary();
    void manage.checkAccess();
    void webhooks.load();
    void follow();
    opts.shown(job.job_id);
  }

  function close(): void {
    following?.abort();
    following = null;
    state = null;
    shown = null;
    models.clear();
    for (const url of photos.values()) URL.revokeObjectURL(url);
    photos.clear();
    files.clear();
    showError(null);
    manage.reset();
    webhooks.reset();
    expiry.hidden = true;
    expiry.textContent = '';
    section.hidden = true;
    viewerSection.hidden = true;
    enableViewerControls(false);
    delete canvas.dataset.shown;
    viewerStatus.textContent = 'The first model appears here as soon as it is ready.';
    sourcePhoto.hidden = true;
    sourceCaption.textContent = 'Its source photo appears here.';
    showPrintReport(printReport, { text: 'Shown with the model: can it be 3D printed as it is?' });
    opts.shown(null);
  }

  return {
    open,
    close,
    /** The key in section 1 changed: ask again whether it may cancel and retry, and read the webhook log. */
    keyChanged: () => {
      void manage.checkAccess();
      void webhooks.load();
    },
    /** Shows a batch from the page's address after a reload: status first, then the whole stream again. */
    async restore(jobId: string, sessionId: string | undefined): Promise<void> {
      section.hidden = false;
      try {
        const job = await opts.client().status.get.query({ job_id: jobId, ...(sessionId ? { session_id: sessionId } : {}) });
        const stored = await loadPhotos(job.job_id);
        open(job, new Map([...stored].map(([fileId, blob]) => [fileId, URL.createObjectURL(blob)])));
        writeBatchToUrl({ jobId: job.job_id, sessionId: job.session_id });
      } catch (error) {
        showError(error);
      }
    },
  };
}
