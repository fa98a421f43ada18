import { afterEach, describe, expect, it } from 'vitest';
import { startFalEmulator, type FalEmulator } from '@image2model/fal-emulator';
import { startFalStack, type FalStack } from '@image2model/testing/fal';
import { startTestServer, type TestServer } from '@image2model/testing/test-server';
import { READINESS_CACHE_MS } from '../src/services/readiness.js';

describe('/health/ready with FAL configured', () => {
  let stack: FalStack | null = null;
  let server: TestServer | null = null;
  let fal: FalEmulator | null = null;
  afterEach(async () => {
    await stack?.stop();
    await server?.stop();
    await fal?.close();
    stack = server = fal = null;
  });

  it('chooses FAL from FAL_KEY + FAL_BASE_URL and reports it reachable after a real request answered', async () => {
    fal = await startFalEmulator();
    server = await startTestServer({ env: { FAL_KEY: 'fal-ready-key', FAL_BASE_URL: fal.url } });
    expect(server.runtime.provider.name).toBe('fal');
    const res = await fetch(server.api('/health/ready'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', checks: { storage: 'writable', storage_backend: 'fs', redis: 'not_configured', fal_api: 'reachable' } });
    const probes = fal.requests.filter((r) => r.path.endsWith('/status'));
    expect(probes).toHaveLength(1);
    expect(probes[0]).toMatchObject({ method: 'GET', authorization: 'Key fal-ready-key' });
    // Cached briefly: a second check does not ask FAL again.
    await fetch(server.api('/health/ready'));
    expect(fal.requests.filter((r) => r.path.endsWith('/status'))).toHaveLength(1);
  });

  it('reports FAL unreachable once the emulator is gone, and stays ready (FAL alone never makes it 503)', async () => {
    stack = await startFalStack();
    const before = await fetch(stack.server.api('/health/ready'));
    expect(((await before.json()) as { checks: { fal_api: string } }).checks.fal_api).toBe('reachable');
    await stack.fal.close();
    await new Promise((resolve) => setTimeout(resolve, READINESS_CACHE_MS + 100)); // the last answer is reused that long
    const after = await fetch(stack.server.api('/health/ready'));
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ status: 'ready', checks: { storage: 'writable', storage_backend: 'fs', redis: 'not_configured', fal_api: 'unreachable' } });
  });
});
