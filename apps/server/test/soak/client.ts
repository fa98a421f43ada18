import { auth, readEventStream, uploadBatch, type JobStatusBody, type SseEvent } from '@image2model/testing/http';
import { abortedUpload } from './aborted-upload.js';
import type { SoakTally } from './tally.js';

export interface ClientContext {
  apiUrl: string;
  key: string;
  tally: SoakTally;
  /** Small photos to upload (a batch takes one or two of them). */
  photos: Buffer[];
  /** A larger photo for the uploads cut mid-body, so the cut lands inside the file part. */
  abortPhoto: Buffer;
  faceLimit: number;
  /** No new job starts after this instant (ms since epoch); the running one is followed to its end. */
  stopAt: number;
  /** How long one job may take from upload to `done` before it counts as lost. */
  jobTimeoutMs: number;
  pollMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function get(ctx: ClientContext, path: string): Promise<Response> {
  const res = await fetch(`${ctx.apiUrl}/api/v1${path}`, { headers: auth(ctx.key) });
  ctx.tally.answer('GET', path.replace(/batch_\w+/, '{job_id}'), res.status, res.status >= 500 ? await res.clone().text() : '');
  return res;
}

/** Polls GET /status until `stop` resolves, at a jittered pace: status reads run alongside the open streams, as from pages that poll. */
async function pollWhile(ctx: ClientContext, jobId: string, stop: Promise<unknown>): Promise<void> {
  let stopped = false;
  void stop.finally(() => (stopped = true)).catch(() => undefined);
  while (!stopped) {
    await Promise.race([sleep(ctx.pollMs * (0.5 + Math.random())), stop.catch(() => undefined)]);
    if (stopped) return;
    const res = await get(ctx, `/status/${jobId}`);
    await res.arrayBuffer();
  }
}

function checkEvents(events: SseEvent[], fileIds: string[]): string | null {
  const failed = events.filter((e) => e.data.type === 'failed');
  if (failed.length > 0) return `failed events: ${JSON.stringify(failed.map((e) => e.data))}`;
  for (const fileId of fileIds) {
    const completed = events.filter((e) => e.data.type === 'completed' && e.data.file_id === fileId).length;
    if (completed !== 1) return `${fileId}: ${completed} completed events`;
  }
  const done = events.filter((e) => e.data.type === 'done');
  if (done.length !== 1 || done[0]?.data.status !== 'completed') return `done events: ${JSON.stringify(done.map((e) => e.data))}`;
  return null;
}

/** Follows an accepted job to its end; returns what went wrong, or null when all is as it must be. */
async function followJob(ctx: ClientContext, jobId: string, fileIds: string[]): Promise<string | null> {
  const stream = readEventStream(`${ctx.apiUrl}/api/v1/status/stream/${jobId}`, { headers: auth(ctx.key), stopAfterMs: ctx.jobTimeoutMs });
  await pollWhile(ctx, jobId, stream);
  const { res, events, closedByServer } = await stream;
  ctx.tally.answer('GET', '/status/stream/{job_id}', res.status);
  if (!closedByServer) return `stream ${res.status} not ended by the server within ${ctx.jobTimeoutMs} ms (${events.length} events)`;
  const wrong = checkEvents(events, fileIds);
  if (wrong) return wrong;

  const status = (await (await get(ctx, `/status/${jobId}`)).json()) as JobStatusBody;
  const notDone = status.files.filter((f) => f.status !== 'completed');
  if (status.status !== 'completed' || notDone.length > 0) return `status ${status.status}, files ${JSON.stringify(notDone)}`;
  ctx.tally.filesCompleted += fileIds.length;

  for (const fileId of fileIds) {
    const model = await get(ctx, `/download/${jobId}/${fileId}/model`);
    const bytes = Buffer.from(await model.arrayBuffer());
    if (model.status !== 200 || bytes.subarray(0, 4).toString() !== 'glTF') return `${fileId} model: ${model.status}, ${bytes.length} bytes`;
    ctx.tally.modelsDownloaded += 1;
  }
  return null;
}

/** One job, start to end: upload, follow the stream to `done` while polling, check the status, download every model. */
async function oneJob(ctx: ClientContext, photos: Buffer[]): Promise<void> {
  const { tally } = ctx;
  const files = photos.map((data, i) => ({ name: `soak-${i + 1}.jpg`, data, type: 'image/jpeg' }));
  const upload = await uploadBatch(`${ctx.apiUrl}/api/v1/upload/batch`, { key: ctx.key, files, fields: { face_limit: String(ctx.faceLimit) } });
  const uploadText = await upload.text();
  tally.answer('POST', '/upload/batch', upload.status, uploadText);
  if (upload.status !== 200) {
    tally.jobFailed('(upload)', `upload answered ${upload.status}: ${uploadText.slice(0, 200)}`);
    return;
  }
  const { job_id: jobId, files: created } = JSON.parse(uploadText) as { job_id: string; files: { file_id: string }[] };
  tally.jobsStarted += 1;
  tally.inFlightJobs += 1;
  try {
    const wrong = await followJob(ctx, jobId, created.map((f) => f.file_id));
    if (wrong) tally.jobFailed(jobId, wrong);
    else tally.jobsCompleted += 1;
  } catch (error) {
    tally.jobFailed(jobId, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  } finally {
    tally.inFlightJobs -= 1;
  }
}

/**
 * One soak client: until `stopAt`, job after job (one or two photos each, alternating); every
 * `abortEvery`-th client first cuts an upload mid-body each round. Errors are counted, never thrown,
 * so one bad answer does not stop the others.
 */
export async function runClient(ctx: ClientContext, index: number, abortEvery: number): Promise<void> {
  for (let round = 0; Date.now() < ctx.stopAt; round++) {
    try {
      if (index % abortEvery === 0) {
        await abortedUpload(`${ctx.apiUrl}/api/v1/upload/batch`, ctx.key, ctx.abortPhoto, 0.2 + 0.6 * Math.random());
        ctx.tally.uploadsAborted += 1;
      }
      const first = ctx.photos[(index + round) % ctx.photos.length] as Buffer;
      const second = ctx.photos[(index + round + 1) % ctx.photos.length] as Buffer;
      await oneJob(ctx, (index + round) % 2 === 0 ? [first] : [first, second]);
    } catch (error) {
      ctx.tally.jobFailed('(client)', error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      await sleep(1000); // a refused connection must not become a hot loop
    }
  }
}
