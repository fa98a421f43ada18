import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EmulatedGeneration, type FalStatus, type GenerationOutcome } from './generation.js';
import { sendJson } from './http.js';
import { fetchRemoteImage } from './remote-image.js';
import type { ScenarioPlan } from './scenarios.js';
import { applyFault, type EmulatorState, type RecordedCancel, type RecordedSubmit, type StoredFile, type TripoOutput } from './state.js';
import { fakeFbx, TRIPO_ENDPOINT, TRIPO_MULTIVIEW_ENDPOINT, validateTripoInput, VIEW_URL_FIELDS, type MultiviewPhotos } from './tripo-model.js';

/** The models the emulator serves (one app, two endpoints); other endpoints are unknown applications, as at FAL. */
const TRIPO_ENDPOINTS: readonly string[] = [TRIPO_ENDPOINT, TRIPO_MULTIVIEW_ENDPOINT];
const TRIPO_APP = 'tripo3d/tripo';

/** `POST https://queue.fal.run/<endpoint>`: accept (or, by scenario, refuse) one generation. */
export function submit(state: EmulatorState, req: IncomingMessage, res: ServerResponse, endpoint: string, body: unknown): void {
  if (!TRIPO_ENDPOINTS.includes(endpoint)) {
    sendJson(res, 404, { detail: `Application '${endpoint}' not found` });
    return;
  }
  const input = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const plan = state.activeSubmitPlan ?? state.nextPlan();
  const record: RecordedSubmit = { endpoint, input, accepted: false, request_id: null, answer: 200, scenario: plan.name, at: Date.now() };
  state.submits.push(record);
  const fault = plan.take('submit');
  // A transient fault's retries continue the same plan; anything else ends it.
  state.activeSubmitPlan = fault !== 'none' && !plan.permanent ? plan : null;
  if (fault === 'reset-after-accept') {
    accept(state, plan, endpoint, input, record);
    record.answer = 'reset-after-accept';
    applyFault(fault, req, res, state);
    return;
  }
  if (applyFault(fault, req, res, state)) {
    record.answer = fault === 'hang' ? 'hang' : fault === 'reset' ? 'reset' : res.statusCode;
    return;
  }
  const generation = accept(state, plan, endpoint, input, record);
  const status = generation.status(Date.now(), false);
  sendJson(res, 200, { ...status, logs: undefined }, { 'x-fal-request-id': generation.id });
}

function accept(state: EmulatorState, plan: ScenarioPlan, endpoint: string, input: Record<string, unknown>, record: RecordedSubmit): EmulatedGeneration {
  const id = randomUUID();
  const now = Date.now();
  const ahead = [...state.generations.values()].filter((g) => g.phase(now) === 'IN_QUEUE').length;
  const base = `${state.queueBase()}/${TRIPO_APP}/requests/${id}`;
  const generation = new EmulatedGeneration({
    id,
    endpoint,
    input,
    plan,
    createdAt: now,
    queueMs: state.queueMs,
    processingMs: state.processingMs,
    initialPosition: ahead,
    urls: { response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` },
    work: (stopped) => produce(state, plan, id, endpoint, input, stopped),
  });
  state.generations.set(id, generation);
  record.accepted = true;
  record.request_id = id;
  return generation;
}

/** Runs the model (or finds why it cannot run) and stores its files on the emulated CDN, unless a cancel stopped it meanwhile. */
async function produce(state: EmulatorState, plan: ScenarioPlan, id: string, endpoint: string, input: Record<string, unknown>, stopped: () => boolean): Promise<GenerationOutcome> {
  const imageField = endpoint === TRIPO_MULTIVIEW_ENDPOINT ? VIEW_URL_FIELDS.front : 'image_url';
  if (plan.fault === 'unprocessable' && plan.on === 'result') {
    return { kind: 'invalid', detail: [{ loc: ['body', imageField], msg: 'Unsupported image: no object could be found in it', type: 'image_processing_error' }] };
  }
  const issues = validateTripoInput(input, endpoint);
  if (issues.length > 0) return { kind: 'invalid', detail: issues };
  const photos = await photosOf(state, endpoint, input);
  if ('missing' in photos) {
    return { kind: 'invalid', detail: [{ loc: ['body', photos.missing], msg: `Failed to download the file at ${photos.missing}`, type: 'file_download_error' }] };
  }
  let model;
  try {
    model = await state.makeModel(photos.image, input, photos.views);
  } catch (error) {
    return { kind: 'invalid', detail: [{ loc: ['body', imageField], msg: `Could not process the image: ${(error as Error).message}`, type: 'image_processing_error' }] };
  }
  if (stopped()) return { kind: 'cancelled' };
  if (plan.name === 'not-glb') model = { ...model, model: fakeFbx(), model_file_name: 'model.glb' };
  const dir = `/files/${randomBytes(6).toString('hex')}/${id.slice(0, 8)}`;
  const model_path = `${dir}/${model.model_file_name}`;
  // model-404: the result names a file the CDN does not have.
  if (plan.name !== 'model-404') {
    state.files.set(model_path, { bytes: model.model, content_type: 'application/octet-stream', file_name: model.model_file_name, model_of: id });
  }
  let preview_path: string | null = null;
  if (model.preview) {
    preview_path = `${dir}/preview.webp`;
    state.files.set(preview_path, { bytes: model.preview, content_type: 'image/webp', file_name: 'preview.webp' });
  }
  return { kind: 'model', files: { model_path, preview_path }, model };
}

/** The request's photos: its image, or each view's; else the field whose file cannot be had. */
async function photosOf(state: EmulatorState, endpoint: string, input: Record<string, unknown>): Promise<{ image: Buffer; views?: MultiviewPhotos } | { missing: string }> {
  if (endpoint !== TRIPO_MULTIVIEW_ENDPOINT) {
    const image = await imageAt(state, String(input.image_url));
    return image ? { image: image.bytes } : { missing: 'image_url' };
  }
  const views: Partial<MultiviewPhotos> = {};
  for (const [view, field] of Object.entries(VIEW_URL_FIELDS) as [keyof MultiviewPhotos, string][]) {
    if (input[field] === undefined) continue;
    const file = await imageAt(state, String(input[field]));
    if (!file) return { missing: field };
    views[view] = file.bytes;
  }
  const { front } = views;
  return front ? { image: front, views: { ...views, front } } : { missing: VIEW_URL_FIELDS.front };
}

/** A photo on the emulated CDN, else downloaded from elsewhere as FAL would (e.g. a presigned bucket URL). */
function imageAt(state: EmulatorState, url: string): Promise<StoredFile | undefined> {
  return state.isOwnUrl(url) ? Promise.resolve(state.fileAt(url)) : fetchRemoteImage(state, url);
}

function generationOf(state: EmulatorState, res: ServerResponse, app: string, id: string): EmulatedGeneration | null {
  const generation = state.generations.get(id);
  if (!generation || app !== TRIPO_APP) {
    sendJson(res, 404, { detail: `Request '${id}' not found` });
    return null;
  }
  return generation;
}

/** `GET …/requests/<id>/status[?logs=1]`: 202 while queued or running, 200 once completed. */
export function status(state: EmulatorState, req: IncomingMessage, res: ServerResponse, app: string, id: string, withLogs: boolean): void {
  const generation = generationOf(state, res, app, id);
  if (!generation || applyFault(generation.plan.take('status'), req, res, state)) return;
  const body = generation.status(Date.now(), withLogs);
  sendJson(res, body.status === 'COMPLETED' ? 200 : 202, body);
}

/** `GET …/requests/<id>/status/stream`: Server-Sent Events until COMPLETED (logs sent once each). */
export function statusStream(state: EmulatorState, req: IncomingMessage, res: ServerResponse, app: string, id: string, withLogs: boolean): void {
  const generation = generationOf(state, res, app, id);
  if (!generation || applyFault(generation.plan.take('status'), req, res, state)) return;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  let sentLogs = 0;
  let last = '';
  const tick = (): void => {
    const current: FalStatus = generation.status(Date.now(), withLogs);
    const logs = current.logs ?? [];
    const fresh = withLogs ? logs.slice(sentLogs) : null;
    const event = JSON.stringify({ ...current, ...(current.status === 'IN_QUEUE' ? {} : { logs: fresh }) });
    const key = JSON.stringify({ s: current.status, p: current.status === 'IN_QUEUE' ? current.queue_position : null, n: logs.length });
    if (key !== last) {
      last = key;
      sentLogs = logs.length;
      res.write(`data: ${event}\n\n`);
    }
    if (current.status === 'COMPLETED') {
      clearInterval(timer);
      res.end();
    }
  };
  const timer = setInterval(tick, 50);
  res.once('close', () => clearInterval(timer));
  tick();
}

/** `GET …/requests/<id>`: the output once completed; a model's validation errors as 422. */
export function result(state: EmulatorState, req: IncomingMessage, res: ServerResponse, app: string, id: string): void {
  const generation = generationOf(state, res, app, id);
  if (!generation) return;
  const now = Date.now();
  if (generation.phase(now) !== 'COMPLETED') {
    sendJson(res, 400, { detail: 'Request is still in progress' });
    return;
  }
  const fault = generation.plan.fault === 'unprocessable' ? 'none' : generation.plan.take('result');
  if (applyFault(fault, req, res, state)) return;
  const outcome = generation.outcome;
  if (generation.stopped || !outcome || outcome.kind === 'cancelled') {
    sendJson(res, 400, { detail: 'Request was cancelled' });
    return;
  }
  if (outcome.kind === 'invalid') {
    sendJson(res, 422, { detail: outcome.detail }, { 'x-fal-request-id': id });
    return;
  }
  const media = state.mediaBase();
  const { model_path, preview_path } = outcome.files;
  const output: TripoOutput = {
    task_id: randomUUID(),
    model_mesh: { url: `${media}${model_path}`, content_type: 'application/octet-stream', file_name: outcome.model.model_file_name, file_size: outcome.model.model.length },
    ...(preview_path && outcome.model.preview
      ? { rendered_image: { url: `${media}${preview_path}`, content_type: 'image/webp', file_name: 'preview.webp', file_size: outcome.model.preview.length } }
      : {}),
  };
  sendJson(res, 200, state.transformResult(output), { 'x-fal-request-id': id });
}

/**
 * `PUT …/requests/<id>/cancel`, as FAL answers it: a queued request is removed and a running one is
 * sent a cancel signal, both answered `202 {"status":"CANCELLATION_REQUESTED"}` (a running request
 * stops unless its scenario is `completes-despite-cancel`); a completed one (a stopped one included)
 * is `400 {"status":"ALREADY_COMPLETED"}`, an unknown id `404 {"status":"NOT_FOUND"}`. Every call is
 * recorded in `state.cancels`. While cancels are held, it is applied and answered only on release.
 */
export function cancel(state: EmulatorState, res: ServerResponse, app: string, id: string): void {
  if (state.heldCancels) {
    state.heldCancels.push(() => cancel(state, res, app, id));
    return;
  }
  const generation = app === TRIPO_APP ? state.generations.get(id) : undefined;
  const found = generation ? generation.cancel(Date.now()) : null;
  const record: RecordedCancel =
    found === null
      ? { request_id: id, found, answer: 404, status: 'NOT_FOUND', stops: false, at: Date.now() }
      : found === 'COMPLETED'
        ? { request_id: id, found, answer: 400, status: 'ALREADY_COMPLETED', stops: false, at: Date.now() }
        : { request_id: id, found, answer: 202, status: 'CANCELLATION_REQUESTED', stops: generation?.stopped ?? false, at: Date.now() };
  state.cancels.push(record);
  sendJson(res, record.answer, { status: record.status });
}
