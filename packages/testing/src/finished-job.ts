import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makePhoto } from './images.js';
import { uploadBatch, waitForJobStatus } from './http.js';

interface ServerLike {
  api(path: string): string;
  dataDir: string;
}

/** Uploads one photo per name with `key` and waits until every file finished. */
export async function finishedJob(server: ServerLike, key: string, names: string[]): Promise<{ job_id: string; session_id: string }> {
  const photo = await makePhoto();
  const res = await uploadBatch(server.api('/upload/batch'), { key, files: names.map((name) => ({ name, data: photo })) });
  if (res.status !== 200) throw new Error(`upload answered ${res.status}: ${await res.text()}`);
  const { job_id, session_id } = (await res.json()) as { job_id: string; session_id: string };
  await waitForJobStatus(server.api(`/status/${job_id}`), key);
  return { job_id, session_id };
}

/**
 * Replaces a completed model (embedded mode, on disk) with `bytes` of filler, so a download is
 * larger than any socket buffer: what a slow or vanishing reader needs to be caught mid-way.
 */
export async function growModel(server: ServerLike, jobId: string, fileId: string, bytes: number): Promise<void> {
  await writeFile(join(server.dataDir, 'jobs', jobId, 'models', `${fileId}.glb`), Buffer.alloc(bytes, 7));
}
