import { startFalEmulator, type FalEmulator, type FalEmulatorOptions } from '@image2model/fal-emulator';
import { makePhoto } from '@image2model/testing/images';
import { afterEach, describe, expect, it } from 'vitest';
import type { GenerationRequest } from '../model-provider.js';
import { FalProvider, type FalProviderOptions } from './fal-provider.js';

/** Quick polls and short backoffs: the real client against the emulator over HTTP. */
const TUNING: Partial<FalProviderOptions> = { pollIntervalMs: 20, retry: { maxRetries: 2, baseDelayMs: 10, maxDelayMs: 40 }, requestTimeoutMs: 1500 };

describe('FalProvider.cancel, against the FAL emulator', () => {
  let fal: FalEmulator | undefined;
  afterEach(async () => {
    await fal?.close();
    fal = undefined;
  });

  async function start(emulator: FalEmulatorOptions, tuning: Partial<FalProviderOptions> = {}) {
    fal = await startFalEmulator(emulator);
    return { fal, provider: new FalProvider({ apiKey: 'test-fal-key', baseUrl: fal.url, ...TUNING, ...tuning }) };
  }

  /**
   * Generates until `until(logs)` holds once the request id exists, then aborts the generation's
   * signal, as the job service does on a cancel (and on shutdown), and returns the request id.
   */
  async function generateThenAbort(provider: FalProvider, until: (logs: string[]) => boolean = () => true): Promise<string> {
    const controller = new AbortController();
    const logs: string[] = [];
    let requestId: string | null = null;
    let reached = (): void => undefined;
    const reachedPoint = new Promise<void>((resolve) => (reached = resolve));
    const check = (): void => {
      if (requestId !== null && until(logs)) reached();
    };
    const request: GenerationRequest = {
      job_id: 'batch_20240315_123456_cancel',
      file_id: 'file_001',
      image: await makePhoto(),
      filename: 'chair.png',
      face_limit: null,
      existing_task_id: null,
      signal: controller.signal,
    };
    const generating = provider.generate(request, {
      async onTaskId(id) {
        requestId = id;
        check();
      },
      onProgress: () => undefined,
      onLog(message) {
        logs.push(message);
        check();
      },
    });
    await Promise.race([reachedPoint, generating]);
    controller.abort(new Error('stopped by the test'));
    await expect(generating).rejects.toThrow('stopped by the test');
    if (requestId === null) throw new Error('FAL never handed out a request id');
    return requestId;
  }

  it('removes a queued request: not billed, and the cancel goes to the endpoint it was submitted to', async () => {
    const { fal, provider } = await start({ queueMs: 5_000 });
    const requestId = await generateThenAbort(provider);
    // Aborting the generation (what shutdown does too) never cancels at FAL: the file resumes after a restart.
    expect(fal.cancels).toEqual([]);

    const outcome = await provider.cancel(requestId);
    expect(outcome).toEqual({
      state: 'removed_from_queue',
      may_be_billed: false,
      message: `FAL request ${requestId} was still queued and was removed: it will not run and will not be billed`,
    });
    expect(fal.acceptedSubmits().map((s) => s.endpoint)).toEqual(['tripo3d/tripo/v2.5/image-to-3d']);
    expect(fal.cancels).toEqual([{ request_id: requestId, found: 'IN_QUEUE', answer: 202, status: 'CANCELLATION_REQUESTED', stops: true, at: expect.any(Number) }]);
    expect(fal.requests.find((r) => r.method === 'PUT' && r.path.endsWith('/cancel'))).toMatchObject({
      path: `/tripo3d/tripo/requests/${requestId}/cancel`,
      authorization: 'Key test-fal-key',
    });
    expect(await fal.modelOf(requestId)).toBeUndefined();
  });

  it('asks FAL to stop a running request, and says it may still be billed', async () => {
    const { fal, provider } = await start({ queueMs: 50, processingMs: 10_000 });
    const requestId = await generateThenAbort(provider, (logs) => logs.includes('FAL started generating the model'));
    const outcome = await provider.cancel(requestId);
    expect(outcome).toEqual({
      state: 'cancel_requested',
      may_be_billed: true,
      message: `FAL request ${requestId} was running; FAL was asked to stop it, and it may still be billed (its result, if one still arrives, is not used)`,
    });
    expect(fal.cancels).toMatchObject([{ request_id: requestId, found: 'IN_PROGRESS', answer: 202, stops: true }]);
    expect(await fal.modelOf(requestId)).toBeUndefined();
  });

  it('reports a request that had finished as already finished, without a cancel call', async () => {
    const { fal, provider } = await start({ queueMs: 20, processingMs: 100 });
    const requestId = await generateThenAbort(provider, (logs) => logs.includes('FAL: Generation finished: 100%'));
    expect(await provider.cancel(requestId)).toEqual({
      state: 'already_finished',
      may_be_billed: true,
      message: `FAL request ${requestId} had already finished, so there was nothing to stop: it is billed as a finished request`,
    });
    expect(fal.cancels).toEqual([]);
    expect(await fal.modelOf(requestId)).toBeDefined();
  });

  it('reads FAL\'s 400 ALREADY_COMPLETED (a request that finished after its status was read) as already finished', async () => {
    const base = await startFalEmulator({ queueMs: 20, processingMs: 100 });
    fal = base;
    // FAL's answer to the status read is one from before the request finished.
    const staleStatus = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (stale && /\/status(\?|$)/.test(url)) return Response.json({ status: 'IN_PROGRESS', request_id: 'x' }, { status: 202 });
      return fetch(input, init);
    }) as typeof fetch;
    let stale = false;
    const provider = new FalProvider({ apiKey: 'k', baseUrl: base.url, ...TUNING, fetch: staleStatus });
    const requestId = await generateThenAbort(provider, (logs) => logs.includes('FAL: Generation finished: 100%'));
    stale = true;
    expect(await provider.cancel(requestId)).toMatchObject({ state: 'already_finished', may_be_billed: true });
    expect(base.cancels).toMatchObject([{ request_id: requestId, found: 'COMPLETED', answer: 400, status: 'ALREADY_COMPLETED' }]);
  });

  it('cancels a request that outlives maxWaitMs, and logs what the cancel did', async () => {
    const { fal, provider } = await start({ queueMs: 20, processingMs: 10_000 }, { maxWaitMs: 300 });
    const logs: [string, string | undefined][] = [];
    const error = await provider
      .generate(
        { job_id: 'batch_20240315_123456_cancel', file_id: 'file_001', image: await makePhoto(), filename: 'a.png', face_limit: null, existing_task_id: null, signal: new AbortController().signal },
        { onTaskId: async () => undefined, onProgress: () => undefined, onLog: (message, level) => logs.push([message, level]) },
      )
      .catch((e: unknown) => e);
    const requestId = fal.acceptedSubmits()[0]?.request_id;
    expect(error).toMatchObject({ code: 'FAL_API_ERROR', message: `FAL did not complete request ${requestId} within 0 minutes; it was asked to cancel it` });
    expect(fal.cancels).toMatchObject([{ request_id: requestId, found: 'IN_PROGRESS', answer: 202 }]);
    expect(logs.at(-1)).toEqual([`FAL request ${requestId} was running; FAL was asked to stop it, and it may still be billed (its result, if one still arrives, is not used)`, 'warning']);
  });

  it('has nothing to cancel for a file never submitted to FAL (no request id, or one we minted)', async () => {
    const { fal, provider } = await start({});
    for (const taskId of ['', 'task_0123456789abcdef01234567']) {
      expect(await provider.cancel(taskId)).toEqual({
        state: 'not_submitted',
        may_be_billed: false,
        message: 'The file had not been submitted to FAL: there was nothing to cancel, and nothing is billed',
      });
    }
    expect(fal.requests).toEqual([]);
  });

  it('says so, without throwing, when FAL does not know the request, rejects the key, or cannot be reached', async () => {
    const { fal, provider } = await start({ keys: ['test-fal-key'] });
    const unknownId = '00000000-0000-0000-0000-000000000000';
    expect(await provider.cancel(unknownId)).toEqual({
      state: 'unknown',
      may_be_billed: true,
      message: `FAL does not know FAL request ${unknownId} (HTTP 404), so it could not be cancelled: if it ran, it may be billed`,
    });

    const badKey = new FalProvider({ apiKey: 'revoked', baseUrl: fal.url, ...TUNING });
    const refused = await badKey.cancel(unknownId);
    expect(refused).toMatchObject({ state: 'unknown', may_be_billed: true });
    expect(refused.message).toBe(
      `FAL request ${unknownId} could not be cancelled (HTTP 401: Unauthorized: the API key is invalid or has been revoked): it may still run and be billed`,
    );
    expect(refused.message).not.toContain('revoked:');

    const url = fal.url;
    await fal.close();
    const unreachable = new FalProvider({ apiKey: 'k', baseUrl: url, ...TUNING });
    const started = Date.now();
    expect(await unreachable.cancel(unknownId)).toEqual({
      state: 'unknown',
      may_be_billed: true,
      message: `FAL request ${unknownId} could not be cancelled (connection refused): it may still run and be billed`,
    });
    expect(Date.now() - started).toBeLessThan(2_000); // two quick retries, then the answer
  });

  it('gives up when its signal fires before FAL answers', async () => {
    const { fal, provider } = await start({ queueMs: 50 }, { requestTimeoutMs: 60_000 });
    // The request's status reads are held open, unanswered.
    fal.queueScenarios({ name: 'hang', on: 'status', times: Infinity });
    const submitted = await fetch(`${fal.url}/tripo3d/tripo/v2.5/image-to-3d`, {
      method: 'POST',
      headers: { Authorization: 'Key k', 'Content-Type': 'application/json' },
      body: JSON.stringify({ image_url: 'https://v3.fal.media/files/none/x.png' }),
    });
    const { request_id } = (await submitted.json()) as { request_id: string };
    const started = Date.now();
    expect(await provider.cancel(request_id, { signal: AbortSignal.timeout(200) })).toEqual({
      state: 'unknown',
      may_be_billed: true,
      message: `The cancel of FAL request ${request_id} was given up before FAL answered: it may still run and be billed`,
    });
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
