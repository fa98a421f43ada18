import type { FinalEvent } from './file-transitions.js';
import { mapViews, VIEW_NAMES, type JobFileRecord, type StoredView, type ViewName, type ViewSet } from './job.js';
import type { UploadedFile } from './job-service.js';
import { storageKeys } from './storage-keys.js';

/** One uploaded photo of a new file and the key it is moved to; `view` is null for a single photo. */
export interface PlannedPhoto {
  view: ViewName | null;
  filename: string;
  temp_path: string;
  key: string;
}

/** Every photo one new file is made from, front first, each with its storage key under the job. */
export function photosOf(jobId: string, fileId: string, file: UploadedFile): PlannedPhoto[] {
  if (!('views' in file)) {
    return [{ view: null, filename: file.filename, temp_path: file.temp_path, key: storageKeys.upload(jobId, fileId, file.format) }];
  }
  return VIEW_NAMES.flatMap((view) => {
    const image = file.views[view];
    return image ? [{ view, filename: image.filename, temp_path: image.temp_path, key: storageKeys.view(jobId, fileId, view, image.format) }] : [];
  });
}

/** A multiview file's record of its views (the photos of `photosOf`, each with a view). */
export function storedViews(photos: readonly PlannedPhoto[]): ViewSet<StoredView> {
  const views: Partial<Record<ViewName, StoredView>> = {};
  for (const { view, filename, key } of photos) if (view !== null) views[view] = { filename, key };
  if (!views.front) throw new Error('A multiview file needs its front view');
  return views as ViewSet<StoredView>;
}

/** The wire's `views`: each view's uploaded filename (absent for a file made from one photo). */
export function viewFilenames(views: ViewSet<StoredView> | undefined): ViewSet<string> | undefined {
  return views === undefined ? undefined : mapViews(views, (view) => view.filename);
}

/** A completed file's final event: its warnings and shape, and a multiview file's views. */
export function completedEvent(file: Pick<JobFileRecord, 'warnings' | 'shape' | 'views'>): Extract<FinalEvent, { type: 'completed' }> {
  const views = viewFilenames(file.views);
  return { type: 'completed', warnings: file.warnings, shape: file.shape, ...(views ? { views } : {}) };
}
