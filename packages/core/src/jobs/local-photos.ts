import type { PhotoSource } from '../providers/photo-source.js';
import type { BlobStorage, LocalFile } from '../storage/blob-storage.js';
import { VIEW_NAMES, type JobFileRecord, type ViewName, type ViewSet } from './job.js';

/** The photos a generation reads, as local files, until `release`. */
export interface LocalPhotos {
  /** The photo (a multiview file's front). */
  image: PhotoSource;
  /** Every view of a multiview file; absent for one photo. */
  views?: ViewSet<PhotoSource>;
  /** Releases every copy (a bucket's photos are copied to temp files); never throws. */
  release(): Promise<void>;
}

/**
 * The stored photos of a file as local files: its photo, or each of its views. The provider reads
 * them where and when it needs them; a failure part-way releases what was already opened.
 */
export async function openLocalPhotos(storage: BlobStorage, file: Pick<JobFileRecord, 'image_key' | 'views'>): Promise<LocalPhotos> {
  const opened: LocalFile[] = [];
  const release = async (): Promise<void> => {
    await Promise.all(opened.map((local) => local.release().catch(() => undefined)));
  };
  try {
    if (file.views === undefined) {
      const photo = await storage.localFile(file.image_key);
      opened.push(photo);
      return { image: { path: photo.path }, release };
    }
    const views: Partial<Record<ViewName, PhotoSource>> = {};
    for (const view of VIEW_NAMES) {
      const stored = file.views[view];
      if (!stored) continue;
      const local = await storage.localFile(stored.key);
      opened.push(local);
      views[view] = { path: local.path };
    }
    const set = views as ViewSet<PhotoSource>;
    return { image: set.front, views: set, release };
  } catch (error) {
    await release();
    throw error;
  }
}
