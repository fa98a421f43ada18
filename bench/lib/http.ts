import { randomBytes } from 'node:crypto';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';

export const auth = (key: string): Record<string, string> => ({ Authorization: `Bearer ${key}` });

/** Any answer that is not 2xx fails the case, loudly, with its body. */
async function failUnless2xx(what: string, status: number, body: () => Promise<string>): Promise<void> {
  if (status >= 200 && status < 300) return;
  throw new Error(`${what} answered ${status}: ${(await body()).slice(0, 500)}`);
}

export async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, { headers });
  await failUnless2xx(`GET ${url}`, res.status, () => res.text());
  return (await res.json()) as T;
}

/** GETs `url` and counts the body's bytes without keeping them. */
export async function drain(url: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await send(url, { method: 'GET', headers });
  await failUnless2xx(`GET ${url}`, res.statusCode ?? 0, () => readText(res));
  let bytes = 0;
  for await (const chunk of res) bytes += (chunk as Buffer).length;
  return bytes;
}

export interface FilePart {
  name: string;
  data: Buffer;
  type: string;
}

/** A multipart/form-data body as a list of buffers (file contents are not copied). */
export interface MultipartBody {
  contentType: string;
  chunks: Buffer[];
  length: number;
}

export function multipartBody(files: readonly FilePart[], fields: Record<string, string> = {}): MultipartBody {
  const boundary = `----bench${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    chunks.push(file.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, chunks, length: chunks.reduce((n, c) => n + c.length, 0) };
}

/** POSTs a prepared body, streaming it with backpressure; returns the 2xx answer's text. */
export async function postBody(url: string, body: MultipartBody, headers: Record<string, string> = {}): Promise<string> {
  const res = await send(url, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': body.contentType, 'Content-Length': String(body.length) },
    chunks: body.chunks,
  });
  const text = await readText(res);
  await failUnless2xx(`POST ${url}`, res.statusCode ?? 0, async () => text);
  return text;
}

export interface UploadAnswer {
  job_id: string;
  session_id: string;
  files: { file_id: string; filename: string; status: string }[];
}

export async function uploadBatch(apiUrl: string, key: string, files: readonly FilePart[], fields: Record<string, string> = {}): Promise<UploadAnswer> {
  return JSON.parse(await postBody(`${apiUrl}/upload/batch`, multipartBody(files, fields), auth(key))) as UploadAnswer;
}

function send(url: string, opts: { method: string; headers: Record<string, string>; chunks?: Buffer[] }): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: opts.method, headers: opts.headers, agent: false }, resolve);
    req.on('error', reject);
    void (async () => {
      for (const chunk of opts.chunks ?? []) {
        if (req.destroyed) return; // answered early (an error) or failed: the answer says why
        if (!req.write(chunk)) await writable(req);
      }
      req.end();
    })();
  });
}

/** Resolves when a request can take more data, or has closed. */
function writable(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      req.off('drain', done).off('close', done);
      resolve();
    };
    req.on('drain', done).on('close', done);
  });
}

async function readText(res: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of res) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
