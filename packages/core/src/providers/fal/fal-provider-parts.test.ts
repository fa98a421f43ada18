import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import type { GenerationHooks } from '../model-provider.js';
import { checkedUploadFetch, checkFalFileUrl, checkGlb, imageKind } from './fal-download.js';
import { classifyFalError, falAppError, falReason } from './fal-errors.js';
import { FalProgressReporter, percentFromLog } from './fal-progress.js';
import { backoffDelay, DEFAULT_FAL_RETRY, withFalRetry } from './fal-retry.js';
import { createFalTransport, FalHttpError, FalTransportError } from './fal-transport.js';
import { buildTripoInput, buildTripoMultiviewInput, describeImage } from './tripo-input.js';

function glb(opts: { version?: number; declared?: number; extra?: number } = {}): Buffer {
  const json = Buffer.from('{"asset":{"version":"2.0"}}');
  const padded = Buffer.concat([json, Buffer.alloc((4 - (json.length % 4)) % 4, 0x20)]);
  const length = 12 + 8 + padded.length;
  const bytes = Buffer.alloc(length + (opts.extra ?? 0));
  bytes.writeUInt32LE(0x46546c67, 0);
  bytes.writeUInt32LE(opts.version ?? 2, 4);
  bytes.writeUInt32LE(opts.declared ?? length + (opts.extra ?? 0), 8);
  bytes.writeUInt32LE(padded.length, 12);
  bytes.writeUInt32LE(0x4e4f534a, 16);
  padded.copy(bytes, 20);
  return bytes;
}

function recordingHooks() {
  const logs: { message: string; level: string }[] = [];
  const progress: number[] = [];
  const hooks: GenerationHooks = {
    onTaskId: async () => undefined,
    onProgress: (value) => progress.push(value),
    onLog: (message, level = 'info') => logs.push({ message, level }),
  };
  return { hooks, logs, progress };
}

const failWith = (error: unknown) => () => Promise.reject(error);

describe('percentFromLog', () => {
  it('reads the percentages and step counts a log line states, and nothing else', () => {
    expect(percentFromLog('Texturing: 75%')).toBe(75);
    expect(percentFromLog('50% of geometry, now 62.5 %')).toBe(62.5);
    expect(percentFromLog('step 3/12')).toBe(25);
    expect(percentFromLog('Loading weights')).toBeNull();
    expect(percentFromLog('took 250% longer')).toBeNull();
    expect(percentFromLog('date 2024/03/15')).toBeNull();
  });
});

describe('FalProgressReporter', () => {
  it('logs the queue position when it changes, relays each line once and never lets progress go back or reach 100', () => {
    const { hooks, logs, progress } = recordingHooks();
    const reporter = new FalProgressReporter(hooks);
    reporter.update({ status: 'IN_QUEUE', queue_position: 3 });
    reporter.update({ status: 'IN_QUEUE', queue_position: 3 });
    reporter.update({ status: 'IN_QUEUE', queue_position: 0 });
    const line = (message: string, timestamp: string, level = 'INFO') => ({ message, timestamp, level });
    reporter.update({ status: 'IN_PROGRESS', logs: [line('Generating: 40%', 't1'), line('low memory', 't2', 'WARN')] });
    reporter.update({ status: 'IN_PROGRESS', logs: [line('Generating: 40%', 't1'), line('low memory', 't2', 'WARN'), line('Retrying stage: 20%', 't3')] });
    reporter.update({ status: 'COMPLETED', logs: [line('Done: 100%', 't4')] });
    expect(logs).toEqual([
      { message: "Waiting in FAL's queue: position 3", level: 'info' },
      { message: "Next in FAL's queue", level: 'info' },
      { message: 'FAL started generating the model', level: 'info' },
      { message: 'FAL: Generating: 40%', level: 'info' },
      { message: 'FAL: low memory', level: 'warning' },
      { message: 'FAL: Retrying stage: 20%', level: 'info' },
      { message: 'FAL: Done: 100%', level: 'info' },
    ]);
    expect(progress).toEqual([40, 99]);
  });
});

describe('checkFalFileUrl', () => {
  it('allows https FAL media hosts and the FAL_BASE_URL origin only', () => {
    expect(checkFalFileUrl('https://v3.fal.media/files/a/model.glb', null).hostname).toBe('v3.fal.media');
    expect(checkFalFileUrl('https://fal.media/files/a/model.glb', null).hostname).toBe('fal.media');
    expect(checkFalFileUrl('http://127.0.0.1:9000/files/a/model.glb', 'http://127.0.0.1:9000').port).toBe('9000');
    for (const url of [
      'http://v3.fal.media/files/a/model.glb',
      'https://fal.media.evil.example/model.glb',
      'https://evilfal.media/model.glb',
      'https://user:pw@v3.fal.media/model.glb',
      'https://queue.fal.run/tripo3d/tripo/requests/x',
      'http://169.254.169.254/latest/meta-data',
      'http://127.0.0.1:9001/files/a/model.glb',
      'file:///etc/passwd',
      'not a url',
    ]) {
      expect(() => checkFalFileUrl(url, 'http://127.0.0.1:9000'), url).toThrow(AppError);
    }
  });
});

describe('checkedUploadFetch', () => {
  it("lets the client's cancel PUT to FAL's queue host through, and holds an upload PUT to any other host to the allowlist", async () => {
    const sent: string[] = [];
    const transport = createFalTransport({
      fetch: (async (input: Parameters<typeof fetch>[0]) => {
        sent.push(String(input));
        return new Response('{}', { status: 202, headers: { 'content-type': 'application/json' } });
      }) as typeof fetch,
    });
    const put = checkedUploadFetch(transport);
    const cancel = 'https://queue.fal.run/tripo3d/tripo/requests/abc/cancel';
    expect((await put(cancel, { method: 'PUT' })).status).toBe(202);
    expect((await put('https://v3.fal.media/files/upload/x.png', { method: 'PUT' })).status).toBe(202);
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://queue.fal.run/tripo3d/tripo/requests/abc/cancel', 'https://queue.fal.run.evil.example/x']) {
      await expect(put(url, { method: 'PUT' }), url).rejects.toThrow(AppError);
    }
    expect(sent).toEqual([cancel, 'https://v3.fal.media/files/upload/x.png']);
  });
});

describe('checkGlb', () => {
  it('accepts a binary glTF 2.0 whose header matches its length', () => {
    expect(() => checkGlb(glb())).not.toThrow();
  });

  it('refuses other files for good, and calls a short one a cut-short download (retried)', () => {
    expect(() => checkGlb(Buffer.from('Kaydara FBX Binary  \u0000 and more bytes'))).toThrow(/not a GLB \(\d+ bytes starting with "Kayd"\)/);
    expect(() => checkGlb(glb({ version: 1 }))).toThrow(/glTF 1 binary/);
    expect(() => checkGlb(glb({ extra: 8, declared: 40 }))).toThrow(/corrupt GLB/);
    const short = glb().subarray(0, 30);
    expect(() => checkGlb(short)).toThrow(FalTransportError);
    expect(classifyFalError(captured(() => checkGlb(short))).transient).toBe(true);
  });

  it('tells image kinds apart by their bytes', () => {
    expect(imageKind(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
    expect(imageKind(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(imageKind(Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 '))).toBe('webp');
    expect(imageKind(Buffer.from('GIF89a'))).toBe('other');
  });
});

function captured(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('FAL error mapping', () => {
  it('reads both FAL error body shapes', () => {
    expect(falReason({ detail: 'Request timed out', error_type: 'request_timeout' })).toBe('Request timed out');
    expect(falReason({ detail: [{ loc: ['body', 'image_url'], msg: 'bad image', type: 'x' }, { loc: ['body'], msg: 'also this', type: 'y' }] })).toBe('image_url: bad image; also this');
    expect(falReason(null)).toBeNull();
  });

  it('retries 429, 5xx, 408, timeouts and dropped connections; not 4xx', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) expect(classifyFalError(new FalHttpError(status, null, null)).transient, String(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 422]) expect(classifyFalError(new FalHttpError(status, null, null)).transient, String(status)).toBe(false);
    expect(classifyFalError(new FalTransportError('network', 'connection refused', null)).transient).toBe(true);
    expect(classifyFalError(new DOMException('The operation timed out.', 'TimeoutError')).transient).toBe(true);
    expect(classifyFalError(new TypeError('terminated')).transient).toBe(true);
    expect(classifyFalError(new Error('a bug')).transient).toBe(false);
  });

  it('names the key for 401/403, gives FAL’s reason for 422, and is never retryable by the queue', () => {
    const key = falAppError(classifyFalError(new FalHttpError(403, { detail: 'Forbidden' }, null)), 'submitting');
    expect(key).toMatchObject({ code: 'FAL_API_ERROR', retryable: false });
    expect(key.message).toMatch(/FAL rejected the API key while submitting \(HTTP 403\): FAL_KEY is missing, wrong or revoked/);
    const input = falAppError(classifyFalError(new FalHttpError(422, { detail: [{ loc: ['body', 'seed'], msg: 'too big', type: 't' }] }, null)), 'submitting');
    expect(input.message).toBe('FAL rejected the input while submitting: seed: too big');
    const outage = falAppError(classifyFalError(new FalHttpError(503, { detail: 'busy' }, null)), 'submitting', { attempts: 7 });
    expect(outage.message).toBe('FAL was unavailable while submitting after 7 attempts (HTTP 503: busy); try again later');
    expect(outage.retryable).toBe(false);
  });
});

describe('backoff and retries', () => {
  it('doubles from the base delay with ±25 % jitter, capped, and honours Retry-After within the cap', () => {
    const policy = { maxRetries: 6, baseDelayMs: 1000, maxDelayMs: 30_000 };
    expect(backoffDelay(0, policy, null, () => 0)).toBe(750);
    expect(backoffDelay(0, policy, null, () => 1)).toBe(1250);
    expect(backoffDelay(3, policy, null, () => 0.5)).toBe(8000);
    expect(backoffDelay(10, policy, null, () => 1)).toBe(30_000);
    expect(backoffDelay(10, policy, null, () => 0.5)).toBe(30_000);
    expect(backoffDelay(0, policy, 5, () => 0.5)).toBe(5000);
    expect(backoffDelay(0, policy, 600, () => 0.5)).toBe(30_000);
    expect(DEFAULT_FAL_RETRY).toEqual({ maxRetries: 6, baseDelayMs: 1000, maxDelayMs: 30_000 });
  });

  it('retries a transient failure up to the limit, then fails with the attempts counted', async () => {
    let calls = 0;
    const retries: number[] = [];
    const attempt = withFalRetry(
      () => {
        calls += 1;
        return Promise.reject(new FalHttpError(502, null, null));
      },
      { what: 'submitting', policy: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 }, signal: new AbortController().signal, onRetry: (_f, n) => retries.push(n) },
    );
    await expect(attempt).rejects.toMatchObject({ code: 'FAL_API_ERROR', message: expect.stringContaining('after 3 attempts (HTTP 502)') });
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('succeeds after transient failures, passes AppErrors through and stops when aborted', async () => {
    const policy = { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 2 };
    let calls = 0;
    const value = await withFalRetry(() => (++calls < 3 ? Promise.reject(new FalTransportError('network', 'connection dropped', null)) : Promise.resolve('ok')), {
      what: 'x',
      policy,
      signal: new AbortController().signal,
    });
    expect([value, calls]).toEqual(['ok', 3]);
    const own = new AppError('FAL_API_ERROR', 'not a GLB');
    await expect(withFalRetry(failWith(own), { what: 'x', policy, signal: new AbortController().signal })).rejects.toBe(own);
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(withFalRetry(() => Promise.resolve(1), { what: 'x', policy, signal: controller.signal })).rejects.toThrow('shutting down');
  });
});

describe('createFalTransport', () => {
  function fakeFetch(answer: (url: string) => Response | Promise<Response>) {
    const seen: string[] = [];
    const fetchImpl = (async (input: URL | string) => {
      seen.push(String(input));
      return answer(String(input));
    }) as typeof fetch;
    return { seen, fetchImpl };
  }

  it('sends every FAL host to FAL_BASE_URL with path and query unchanged, and nothing else', async () => {
    const { seen, fetchImpl } = fakeFetch(() => new Response('{}', { headers: { 'content-type': 'application/json' } }));
    const transport = createFalTransport({ baseUrl: 'http://127.0.0.1:9000', fetch: fetchImpl });
    await transport.clientFetch('https://queue.fal.run/tripo3d/tripo/requests/abc/status?logs=1');
    await transport.clientFetch('https://rest.fal.ai/storage/upload/initiate?storage_type=fal-cdn-v3');
    await transport.request('https://v3.fal.media/files/a/model.glb');
    await transport.request('https://example.com/x');
    expect(seen).toEqual([
      'http://127.0.0.1:9000/tripo3d/tripo/requests/abc/status?logs=1',
      'http://127.0.0.1:9000/storage/upload/initiate?storage_type=fal-cdn-v3',
      'http://127.0.0.1:9000/files/a/model.glb',
      'https://example.com/x',
    ]);
    expect(transport.baseOrigin).toBe('http://127.0.0.1:9000');
    const direct = createFalTransport({ fetch: fetchImpl });
    await direct.request('https://queue.fal.run/a/b');
    expect(seen.at(-1)).toBe('https://queue.fal.run/a/b');
  });

  it('turns non-2xx answers into FalHttpError (with body and Retry-After) and silence into a timeout', async () => {
    const { fetchImpl } = fakeFetch(() => new Response(JSON.stringify({ detail: 'slow down' }), { status: 429, headers: { 'content-type': 'application/json', 'retry-after': '3' } }));
    const error = await createFalTransport({ fetch: fetchImpl })
      .clientFetch('https://queue.fal.run/x')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FalHttpError);
    expect(error).toMatchObject({ status: 429, body: { detail: 'slow down' }, retryAfterSeconds: 3 });

    const silent = ((_url: unknown, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error)))) as typeof fetch;
    const timeout = await createFalTransport({ fetch: silent, timeoutMs: 20 })
      .request('https://queue.fal.run/x')
      .catch((e: unknown) => e);
    expect(timeout).toBeInstanceOf(FalTransportError);
    expect(timeout).toMatchObject({ kind: 'timeout', message: 'no answer within 20 ms' });
    // No `cause`: the client must not find a network code to retry on by itself.
    expect((timeout as Error).cause).toBeUndefined();
  });
});

describe('buildTripoInput', () => {
  it('sends face_limit and options only when given, and only known options', () => {
    expect(buildTripoInput({ face_limit: null }, 'https://v3.fal.media/i.png')).toEqual({ image_url: 'https://v3.fal.media/i.png' });
    const options = { texture: 'HD', pbr: false, seed: 0, quad: true, orientation: undefined } as never;
    expect(buildTripoInput({ face_limit: 500, tripo_options: options }, 'u')).toEqual({ image_url: 'u', face_limit: 500, texture: 'HD', pbr: false, seed: 0 });
  });

  it("gives the multiview endpoint each view's URL by its field, and the same options", () => {
    expect(buildTripoMultiviewInput({ face_limit: null }, { front: 'f', right: 'r' })).toEqual({ front_image_url: 'f', right_image_url: 'r' });
    expect(buildTripoMultiviewInput({ face_limit: 800, tripo_options: { texture: 'no' } }, { front: 'f', left: 'l', back: 'b', right: 'r' })).toEqual({
      front_image_url: 'f',
      left_image_url: 'l',
      back_image_url: 'b',
      right_image_url: 'r',
      face_limit: 800,
      texture: 'no',
    });
  });

  it('names the upload neutrally, typed by its bytes', () => {
    expect(describeImage(Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'file_002')).toEqual({ type: 'image/png', name: 'file_002.png' });
    expect(describeImage(Buffer.from([0xff, 0xd8, 0xff, 0xdb]), 'file_001')).toEqual({ type: 'image/jpeg', name: 'file_001.jpg' });
  });
});
