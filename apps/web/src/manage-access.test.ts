import { describe, expect, it } from 'vitest';
import { Image2ModelError, type Image2ModelClient } from '@image2model/client';
import { checkManageAccess } from './manage-access.js';

/** A client whose status read answers as the server would: the owner's key reads without a session id. */
function clientAnswering(answer: Error | null): Pick<Image2ModelClient, 'status'> & { asked: unknown[] } {
  const asked: unknown[] = [];
  const query = async (input: unknown) => {
    asked.push(input);
    if (answer) throw answer;
    return {};
  };
  return { asked, status: { get: { query } } } as unknown as Pick<Image2ModelClient, 'status'> & { asked: unknown[] };
}

describe('checkManageAccess', () => {
  it('lets the owner’s key cancel and retry, asking without the session id', async () => {
    const client = clientAnswering(null);
    expect(await checkManageAccess(client, 'batch_1', true)).toEqual({ allowed: true });
    expect(client.asked).toEqual([{ job_id: 'batch_1' }]);
  });

  it('explains a page with no key (a batch link alone) without asking the server', async () => {
    const client = clientAnswering(null);
    const access = await checkManageAccess(client, 'batch_1', false);
    expect(access).toEqual({ allowed: false, reason: expect.stringMatching(/^Cancel and retry need the API key that uploaded this batch: enter it in section 1\. A batch link alone lets you watch/) });
    expect(client.asked).toEqual([]);
  });

  it('tells another key, and any other failure, apart', async () => {
    const other = await checkManageAccess(clientAnswering(new Image2ModelError({ code: 'NOT_FOUND', status: 404, message: 'Job not found' })), 'batch_1', true);
    expect(other).toEqual({ allowed: false, reason: expect.stringMatching(/^The API key in section 1 did not upload this batch/) });
    const down = await checkManageAccess(clientAnswering(new Image2ModelError({ code: 'NETWORK_ERROR', status: 0, message: 'fetch failed' })), 'batch_1', true);
    expect(down).toEqual({ allowed: false, reason: 'Cancel and retry are off: Cannot reach the server (fetch failed). Is it still running?' });
  });
});
