import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { trpcCallCount } from './trpc-batch.js';

/** A request whose query is counted each time it is read (Express parses it again on every read). */
function requestFor(path: string, query: Record<string, string>): { req: Request; queryReads: () => number } {
  let reads = 0;
  const req = {
    path,
    get query() {
      reads += 1;
      return query;
    },
  } as unknown as Request;
  return { req, queryReads: () => reads };
}

describe('trpcCallCount', () => {
  it('counts a batch by its procedures, and anything else as one call', () => {
    expect(trpcCallCount(requestFor('/status.get,status.get,health.ready', { batch: '1' }).req)).toBe(3);
    expect(trpcCallCount(requestFor('/status.get,status.get', {}).req)).toBe(1);
    expect(trpcCallCount(requestFor('/status.get,status.get', { batch: 'yes' }).req)).toBe(1);
    expect(trpcCallCount(requestFor('/status.get', { batch: '1' }).req)).toBe(1);
  });

  it('leaves the query unread for a path naming one procedure (the hot path: a single status poll)', () => {
    const { req, queryReads } = requestFor('/status.get', { batch: '1', input: '{"0":{"json":{"job_id":"batch_x"}}}' });
    expect(trpcCallCount(req)).toBe(1);
    expect(queryReads()).toBe(0);
  });
});
