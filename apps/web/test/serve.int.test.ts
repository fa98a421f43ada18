import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { startTestServer, type TestServer } from '@image2model/testing/test-server';

const DIST = fileURLToPath(new URL('../dist/index.html', import.meta.url));

describe('the server serves the web app at /', () => {
  let server: TestServer;
  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error('apps/web/dist is missing: run npm run build first');
    server = await startTestServer({ provider: new FakeModelProvider() });
  });
  afterAll(() => server?.stop());

  it('answers / with the page under its own strict content security policy', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'self';script-src 'self';style-src 'self';img-src 'self' blob:;connect-src 'self' blob:;object-src 'none';base-uri 'self';form-action 'self';frame-ancestors 'self'",
    );
    const html = await res.text();
    expect(html).toContain('<title>Image2Model</title>');
    // Nothing from elsewhere, and no inline script the policy would block.
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('serves the hashed assets for good and leaves the API and its 404s as they were', async () => {
    const html = await (await fetch(`${server.url}/`)).text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${server.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const health = await fetch(server.api('/health'));
    expect(await health.json()).toMatchObject({ status: 'healthy' });
    const missing = await fetch(`${server.url}/no-such-page`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ detail: { code: 'NOT_FOUND' } });
  });
});
