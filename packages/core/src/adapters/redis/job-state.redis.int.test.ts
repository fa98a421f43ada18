import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, requireRedis } from '@image2model/testing/redis';
import { JOB_STATE_LUA, jobStateOfTally, type FileTally } from '../../job-state.js';

const redisUp = await requireRedis();

/** Every tally of up to this many files: the Lua rule must agree with core's on each. */
const MAX_FILES = 6;

function everyTally(): FileTally[] {
  const tallies: FileTally[] = [];
  for (let total = 0; total <= MAX_FILES; total += 1) {
    for (let unfinished = 0; unfinished <= total; unfinished += 1) {
      for (let failed = 0; unfinished + failed <= total; failed += 1) {
        for (let cancelled = 0; unfinished + failed + cancelled <= total; cancelled += 1) tallies.push({ total, unfinished, failed, cancelled });
      }
    }
  }
  return tallies;
}

describe.skipIf(!redisUp)("the Redis scripts' job status", () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = await connectRedis();
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('is core\'s rule for every tally of up to six files', async () => {
    const tallies = everyTally();
    const script = `${JOB_STATE_LUA}
local out = {}
for i = 1, #ARGV, 4 do
  out[#out + 1] = job_status(tonumber(ARGV[i]), tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3]))
end
return out`;
    const args = tallies.flatMap((t) => [t.total, t.unfinished, t.failed, t.cancelled].map(String));
    const fromLua = (await redis.eval(script, 0, ...args)) as string[];
    expect(fromLua).toEqual(tallies.map(jobStateOfTally));
    expect(new Set(fromLua)).toEqual(new Set(['processing', 'completed', 'failed', 'partial', 'cancelled']));
  });
});
