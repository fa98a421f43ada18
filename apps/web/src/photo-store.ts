// The source photos of the current batch, kept in IndexedDB so a reload shows them beside their
// models again. Only one batch is kept: starting a new one replaces it.
const DB_NAME = 'image2model';
const STORE = 'photos';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB unavailable'));
  });
}

function done(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB write failed'));
  });
}

/** Replaces the stored photos with this batch's, keyed by file id. Failures only cost the reload view. */
export async function savePhotos(jobId: string, photos: Map<string, Blob>): Promise<void> {
  try {
    const db = await openDb();
    const transaction = db.transaction(STORE, 'readwrite');
    const store = transaction.objectStore(STORE);
    store.clear();
    for (const [fileId, blob] of photos) store.put(blob, `${jobId}/${fileId}`);
    await done(transaction);
    db.close();
  } catch {
    // Private browsing or a full quota: the page falls back to the server's previews.
  }
}

export async function loadPhotos(jobId: string): Promise<Map<string, Blob>> {
  const photos = new Map<string, Blob>();
  try {
    const db = await openDb();
    const transaction = db.transaction(STORE, 'readonly');
    const request = transaction.objectStore(STORE).openCursor();
    await new Promise<void>((resolve, reject) => {
      request.onsuccess = () => {
        const cursor = request.result;
        if (!cursor) return resolve();
        const [job, fileId] = String(cursor.key).split('/');
        if (job === jobId && fileId && cursor.value instanceof Blob) photos.set(fileId, cursor.value);
        cursor.continue();
      };
      request.onerror = () => reject(request.error ?? new Error('IndexedDB read failed'));
    });
    db.close();
  } catch {
    // nothing stored, or storage unavailable
  }
  return photos;
}
