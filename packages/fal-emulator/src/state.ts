import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatedGeneration } from './generation.js';
import { sendJson } from './http.js';
import type { FalScenarioName, FaultKind, ScenarioPlan } from './scenarios.js';
import type { ModelMaker } from './tripo-model.js';

/** A request as the emulator received it. */
export interface RecordedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: Record<string, string>;
  /** The Authorization header as sent (null when absent). */
  authorization: string | null;
  /** The parsed JSON body, when there was one. */
  body?: unknown;
  at: number;
}

/** One queue submit: accepted (a request id was handed out) or refused by a scenario. */
export interface RecordedSubmit {
  endpoint: string;
  input: Record<string, unknown>;
  accepted: boolean;
  request_id: string | null;
  /** The HTTP status answered, or what happened instead. */
  answer: number | 'hang' | 'reset' | 'reset-after-accept';
  scenario: FalScenarioName;
  at: number;
}

/** One call of the queue's cancel route (`PUT …/requests/<id>/cancel`) and what it found. */
export interface RecordedCancel {
  request_id: string;
  /** The phase the request was in when the cancel arrived; null for a request the emulator does not know. */
  found: 'IN_QUEUE' | 'IN_PROGRESS' | 'COMPLETED' | null;
  /** The HTTP status answered. */
  answer: 202 | 400 | 404;
  /** The `status` of the answer's body, as FAL words it. */
  status: 'CANCELLATION_REQUESTED' | 'ALREADY_COMPLETED' | 'NOT_FOUND';
  /** False when the request's scenario (`completes-despite-cancel`) lets it run on to completion. */
  stops: boolean;
  at: number;
}

/** A file uploaded through the storage API. */
export interface RecordedUpload {
  file_url: string;
  file_name: string;
  content_type: string;
  bytes: Buffer;
}

/** A download of an `image_url` on another host than the emulator's storage (a presigned bucket URL). */
export interface RecordedFetch {
  url: string;
  /** The HTTP status answered; null when nothing answered. */
  status: number | null;
  /** Bytes received. */
  size: number;
  at: number;
}

export interface StoredFile {
  bytes: Buffer;
  content_type: string;
  file_name: string;
  /** Set for generated model files: the download phase's faults apply to them. */
  model_of?: string;
}

export interface PendingUpload {
  path: string;
  file_name: string;
  content_type: string;
}

/** A file in a FAL result. */
export interface FalFile {
  url: string;
  content_type: string;
  file_name: string;
  file_size: number;
}

/** Tripo v2.5's output, as the result route answers it. */
export interface TripoOutput {
  task_id: string;
  model_mesh: FalFile;
  rendered_image?: FalFile;
}

/** What the routes share. */
export interface EmulatorState {
  readonly queueMs: number;
  readonly processingMs: number;
  readonly makeModel: ModelMaker;
  readonly keys: readonly string[] | null;
  readonly transformResult: (output: TripoOutput) => unknown;
  /** Rewrites the `upload_url` that storage's initiate hands out. */
  readonly transformUploadUrl: (url: string) => string;
  readonly requests: RecordedRequest[];
  readonly submits: RecordedSubmit[];
  readonly uploads: RecordedUpload[];
  readonly cancels: RecordedCancel[];
  readonly fetches: RecordedFetch[];
  readonly files: Map<string, StoredFile>;
  readonly pendingUploads: Map<string, PendingUpload>;
  readonly generations: Map<string, EmulatedGeneration>;
  /** Requests held open by `hang`, answered by nobody, destroyed on close. */
  readonly hanging: Set<ServerResponse>;
  /**
   * While set (`FalEmulator.holdCancels`), cancels wait here unapplied and unanswered, as if still
   * on their way to FAL; each entry applies and answers one.
   */
  heldCancels: (() => void)[] | null;
  /** The plan whose submit faults are still being played (its retries continue it). */
  activeSubmitPlan: ScenarioPlan | null;
  nextPlan(): ScenarioPlan;
  /** Base of the queue URLs handed out (FAL's, or the emulator's own origin). */
  queueBase(): string;
  /** Base of the storage/CDN URLs handed out. */
  mediaBase(): string;
  /** Whether an absolute URL is on a FAL host or this emulator (else it is downloaded, as FAL would). */
  isOwnUrl(url: string): boolean;
  /** The stored file an absolute URL names (on a FAL media host or this emulator), if any. */
  fileAt(url: string): StoredFile | undefined;
}

/** Plays a fault on a request; true when it took the request over (answered, held or reset). */
export function applyFault(fault: FaultKind, req: IncomingMessage, res: ServerResponse, state: EmulatorState): boolean {
  switch (fault) {
    case 'none':
      return false;
    case 'unauthorized':
      sendJson(res, 401, { detail: 'Unauthorized: the API key is invalid or has been revoked' });
      return true;
    case 'unprocessable':
      sendJson(res, 422, { detail: [{ loc: ['body', 'image_url'], msg: 'Unsupported image: no object could be found in it', type: 'image_processing_error' }] });
      return true;
    case 'rate-limited':
      sendJson(res, 429, { detail: 'Too many concurrent requests for this key', error_type: 'rate_limited' }, { 'retry-after': '0' });
      return true;
    case 'server-error':
      sendJson(res, 500, { detail: 'Internal server error', error_type: 'internal_error' });
      return true;
    case 'hang':
      state.hanging.add(res);
      res.once('close', () => state.hanging.delete(res));
      return true;
    case 'reset':
    case 'reset-after-accept':
      req.socket.destroy();
      return true;
  }
}

export function requireKey(req: IncomingMessage, res: ServerResponse, state: EmulatorState, key: string | null): boolean {
  if (key === null) {
    sendJson(res, 401, { detail: 'Missing credentials: send Authorization: Key <FAL_KEY>' });
    return false;
  }
  if (state.keys !== null && !state.keys.includes(key)) {
    sendJson(res, 401, { detail: 'Unauthorized: the API key is invalid or has been revoked' });
    return false;
  }
  return true;
}
