import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export const auth = (key: string) => ({ Authorization: `Bearer ${key}` });

export interface UploadPart {
  name: string;
  data: Buffer;
  type?: string;
}

export function uploadBatch(url: string, opts: { key?: string; files: UploadPart[]; fields?: Record<string, string>; headers?: Record<string, string> }) {
  const form = new FormData();
  for (const file of opts.files) form.append('files', new Blob([file.data], { type: file.type ?? 'application/octet-stream' }), file.name);
  for (const [name, value] of Object.entries(opts.fields ?? {})) form.append(name, value);
  return fetch(url, { method: 'POST', body: form, headers: { ...(opts.key ? auth(opts.key) : {}), ...opts.headers } });
}

/** `POST /upload/multiview`: one part per view given (`front`, `left`, `back`, `right`), in that order. */
export function uploadMultiview(
  url: string,
  opts: { key?: string; views: Partial<Record<'front' | 'left' | 'back' | 'right', UploadPart>>; fields?: Record<string, string>; headers?: Record<string, string> },
) {
  const form = new FormData();
  for (const view of ['front', 'left', 'back', 'right'] as const) {
    const file = opts.views[view];
    if (file) form.append(view, new Blob([file.data], { type: file.type ?? 'application/octet-stream' }), file.name);
  }
  for (const [name, value] of Object.entries(opts.fields ?? {})) form.append(name, value);
  return fetch(url, { method: 'POST', body: form, headers: { ...(opts.key ? auth(opts.key) : {}), ...opts.headers } });
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, opts: { timeoutMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${opts.what ?? 'a condition'}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface JobStatusBody {
  job_id: string;
  session_id: string;
  status: string;
  total_files: number;
  processed_files: number;
  failed_files: number;
  cancelled_files: number;
  progress: number;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  webhook_url: string | null;
  files: {
    file_id: string;
    filename: string;
    status: string;
    progress: number;
    model_url: string | null;
    preview_url: string | null;
    model_task_id: string | null;
    face_limit: number | null;
    error?: { code: string; message: string };
    warnings: { code: string; message: string }[];
    shape: 'revolved' | 'inflated' | 'card' | 'hull' | null;
    /** A multiview file's views (each view's uploaded filename). */
    views?: Record<string, string>;
  }[];
}

export function waitForJobStatus(statusUrl: string, key: string, until: (body: JobStatusBody) => boolean = (b) => b.status !== 'processing') {
  return waitFor(
    async () => {
      const res = await fetch(statusUrl, { headers: auth(key) });
      if (res.status !== 200) throw new Error(`GET ${statusUrl} answered ${res.status}: ${await res.text()}`);
      const body = (await res.json()) as JobStatusBody;
      return until(body) ? body : undefined;
    },
    { what: `job at ${statusUrl}` },
  );
}

export interface SseEvent {
  id: string | null;
  data: Record<string, unknown>;
}

/**
 * Reads a text/event-stream until the server closes it, or until `stopAfterMs` (then it hangs up
 * itself, like a browser tab being closed); returns its events and comment lines.
 */
export async function readEventStream(url: string, opts: { headers?: Record<string, string>; stopAfterMs?: number; onEvent?: (event: SseEvent) => void } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.stopAfterMs ?? 20_000);
  const res = await fetch(url, { headers: opts.headers, signal: controller.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let closedByServer = false;
  if (!res.ok || !res.body) {
    clearTimeout(timer);
    return { res, events, comments, closedByServer };
  }
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let split: number;
      while ((split = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, split);
        buffer = buffer.slice(split + 2);
        let id: string | null = null;
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments.push(line);
          else if (line.startsWith('id: ')) id = line.slice(4);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (data) {
          const event = { id, data: JSON.parse(data) as Record<string, unknown> };
          events.push(event);
          opts.onEvent?.(event);
        }
      }
    }
    closedByServer = true;
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
  return { res, events, comments, closedByServer };
}

/**
 * A GET from a chosen loopback source address (127.0.0.2, 127.0.0.3, …), so a test can be several
 * clients as far as per-IP limits can tell; fetch cannot pick its source address.
 */
export function getFrom(url: string, opts: { localAddress: string; headers?: Record<string, string> }): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { localAddress: opts.localAddress, headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
