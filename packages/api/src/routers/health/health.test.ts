import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCallerHarness } from '../../test-support/callers.js';

describe('health.get and health.ready', () => {
  let h: Awaited<ReturnType<typeof createCallerHarness>>;
  beforeEach(async () => {
    h = await createCallerHarness();
  });
  afterEach(() => h.cleanup());

  it('answer without a key, and even with a wrong one', async () => {
    for (const key of [null, 'not-a-key']) {
      expect(await h.callAs(key).health.get()).toEqual({ status: 'healthy' });
      expect(await h.callAs(key).health.ready()).toEqual({ status: 'ready', checks: { storage: 'writable', redis: 'not_configured', fal_api: 'not_configured' } });
    }
  });
});
