import { afterEach, describe, expect, it } from 'vitest';
import { FakeModelProvider } from '@image2model/core/testing';
import { createImage2ModelClient } from './index.js';
import { startTestServer, USER_KEY, type TestServer } from '@image2model/testing/test-server';

describe('batching', () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it("splits concurrent calls into batches the server accepts (its default MAX_BATCH_SIZE, 25)", async () => {
    server = await startTestServer({ provider: new FakeModelProvider() });
    const client = createImage2ModelClient({ baseUrl: server.url, apiKey: USER_KEY });
    const answers = await Promise.all(Array.from({ length: 60 }, () => client.health.get.query()));
    expect(answers).toEqual(Array(60).fill({ status: 'healthy' }));
  });
});
