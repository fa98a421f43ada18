import type { PhotoSource } from '../providers/photo-source.js';
import type { BlobStorage } from '../storage/blob-storage.js';
import { VIEW_NAMES, type JobFileRecord, type ViewName, type ViewSet } from './job.js';

/**
 * S3_PUBLIC_READS=presigned: the provider (FAL) is handed presigned GET URLs of the stored photos
 * instead of local copies it would only upload again. Signed when the generation starts, so they
 * must stay valid for as long as the generation may run.
 */
export interface PhotoUrls {
  expiresInSeconds: number;
}

/** The photos a generation reads, until `release`. */
export interface OpenedPhotos {
  /** The photo (a multiview file's front). */
  image: PhotoSource;
  /** Every view of a multiview file; absent for one photo. */
  views?: ViewSet<PhotoSource>;
  /** Releases every local copy (a bucket's photos are copied to temp files); never throws. */
  release(): Promise<void>;
}

/**
 * The stored photos of a file for its generation: its photo, or each of its views. Each is a
 * presigned URL when `urls` is set and the storage can sign one (signed locally: nothing is
 * downloaded), else the stored file on this machine (a bucket's copied to a temp file). The
 * provider reads them where and when it needs them; a failure part-way releases what was opened.
 */
export async function openPhotos(storage: BlobStorage, file: Pick<JobFileRecord, 'image_key' | 'views'>, urls: PhotoUrls | undefined): Promise<OpenedPhotos> {
  const releases: (() => Promise<void>)[] = [];
  const release = async (): Promise<void> => {
    await Promise.all(releases.map((releaseOne) => releaseOne().catch(() => undefined)));
  };
  const open = async (key: string): Promise<PhotoSource> => {
    if (urls && storage.presignGet) return { url: await storage.presignGet(key, { expiresInSeconds: urls.expiresInSeconds }) };
    const local = await storage.localFile(key);
    releases.push(() => local.release());
    return { path: local.path };
  };
  try {
    if (file.views === undefined) return { image: await open(file.image_key), release };
    const views: Partial<Record<ViewName, PhotoSource>> = {};
    for (const view of VIEW_NAMES) {
      const stored = file.views[view];
      if (stored) views[view] = await open(stored.key);
    }
    const set = views as ViewSet<PhotoSource>;
    return { image: set.front, views: set, release };
  } catch (error) {
    await release();
    throw error;
  }
}
