import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendBytes, sendJson } from './http.js';
import { applyFault, type EmulatorState } from './state.js';

function safeName(name: unknown, fallback: string): string {
  const base = typeof name === 'string' ? (name.split(/[/\\]/).pop() ?? '') : '';
  const clean = base.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  return clean.length > 0 && clean !== '.' && clean !== '..' ? clean : fallback;
}

/** `POST https://rest.fal.ai/storage/upload/initiate`: where to PUT the bytes and where they will be. */
export function initiateUpload(state: EmulatorState, res: ServerResponse, body: unknown): void {
  const input = (typeof body === 'object' && body !== null ? body : {}) as { content_type?: unknown; file_name?: unknown };
  const content_type = typeof input.content_type === 'string' && input.content_type.length > 0 ? input.content_type : 'application/octet-stream';
  const file_name = safeName(input.file_name, 'upload.bin');
  const token = randomBytes(12).toString('hex');
  const path = `/files/${randomBytes(6).toString('hex')}/${file_name}`;
  state.pendingUploads.set(token, { path, file_name, content_type });
  const upload_url = state.transformUploadUrl(`${state.mediaBase()}/upload/${token}?signature=${randomBytes(8).toString('hex')}`);
  sendJson(res, 200, { upload_url, file_url: `${state.mediaBase()}${path}` });
}

/** `PUT <upload_url>`: the bytes themselves (no Authorization, as at FAL: the URL is the capability). */
export function putUpload(state: EmulatorState, res: ServerResponse, token: string, bytes: Buffer, contentType: string | undefined): void {
  const pending = state.pendingUploads.get(token);
  if (!pending) {
    sendJson(res, 404, { detail: 'Unknown or expired upload URL' });
    return;
  }
  state.pendingUploads.delete(token);
  const content_type = contentType ?? pending.content_type;
  state.files.set(pending.path, { bytes, content_type, file_name: pending.file_name });
  state.uploads.push({ file_url: `${state.mediaBase()}${pending.path}`, file_name: pending.file_name, content_type, bytes });
  res.writeHead(200).end();
}

/** `GET https://v3.fal.media/files/…`: a CDN download (public, no Authorization). */
export function download(state: EmulatorState, req: IncomingMessage, res: ServerResponse, path: string): void {
  const file = state.files.get(path);
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    return;
  }
  const generation = file.model_of ? state.generations.get(file.model_of) : undefined;
  if (generation && applyFault(generation.plan.take('download'), req, res, state)) return;
  sendBytes(res, file.bytes, file.content_type);
}
