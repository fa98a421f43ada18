/**
 * The Redis webhook outbox's scripts (webhook-outbox.redis.ts names the keys). Each delivery is a
 * hash `<prefix>webhook:<id>`; a job's deliveries are a sorted set in queueing order; pending
 * deliveries are in one sorted set scored by when they may next be claimed (their next attempt, or
 * the end of a claim's lease). A field that is null is absent. Record keys are built in the scripts
 * from ARGV's record prefix, like the job store's: a single Redis, not a cluster.
 */

/** Sets a field, or removes it for '' (null). */
const PUT_FN = `
local function put(key, field, value)
  if value == '' then redis.call('HDEL', key, field) else redis.call('HSET', key, field, value) end
end`;

/**
 * KEYS[1] record, KEYS[2] job's deliveries, KEYS[3] due, KEYS[4] job's gone URLs;
 * ARGV id, job_id, type, url, body, at (ISO), now (ms), gone reason. 1 when queued, 0 when known.
 */
export const ENQUEUE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'job_id', ARGV[2], 'type', ARGV[3], 'url', ARGV[4], 'body', ARGV[5],
  'attempts', 0, 'created_at', ARGV[6], 'updated_at', ARGV[6])
if redis.call('SISMEMBER', KEYS[4], ARGV[4]) == 1 then
  redis.call('HSET', KEYS[1], 'state', 'exhausted', 'last_error', ARGV[8])
else
  redis.call('HSET', KEYS[1], 'state', 'pending', 'next_attempt_at', ARGV[6])
  redis.call('ZADD', KEYS[3], ARGV[7], ARGV[1])
end
redis.call('ZADD', KEYS[2], redis.call('ZCARD', KEYS[2]) + 1, ARGV[1])
return 1`;

/** KEYS[1] due; ARGV now (ms), limit, lease end (ms), token, record prefix. The ids now held by the token. */
export const CLAIM = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local claimed = {}
for _, id in ipairs(ids) do
  local key = ARGV[5] .. id
  if redis.call('HGET', key, 'state') == 'pending' then
    redis.call('HSET', key, 'claim', ARGV[4])
    redis.call('ZADD', KEYS[1], ARGV[3], id)
    claimed[#claimed + 1] = id
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return claimed`;

/**
 * KEYS[1] record, KEYS[2] due; ARGV token, id, state, status, error, duration, next_attempt_at
 * (ISO), due (ms), at (ISO). 1 when recorded, 0 when the token no longer holds the delivery.
 */
export const COMPLETE = `${PUT_FN}
if redis.call('HGET', KEYS[1], 'claim') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'state') ~= 'pending' then return 0 end
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HDEL', KEYS[1], 'claim')
redis.call('HSET', KEYS[1], 'state', ARGV[3], 'updated_at', ARGV[9])
put(KEYS[1], 'last_status', ARGV[4])
put(KEYS[1], 'last_error', ARGV[5])
put(KEYS[1], 'last_duration_ms', ARGV[6])
put(KEYS[1], 'next_attempt_at', ARGV[7])
if ARGV[3] == 'pending' then redis.call('ZADD', KEYS[2], ARGV[8], ARGV[2]) else redis.call('ZREM', KEYS[2], ARGV[2]) end
return 1`;

/** KEYS[1] record, KEYS[2] due; ARGV token, id, due (ms). */
export const RELEASE = `
if redis.call('HGET', KEYS[1], 'claim') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'state') ~= 'pending' then return 0 end
redis.call('HDEL', KEYS[1], 'claim')
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return 1`;

/** KEYS[1] job's deliveries, KEYS[2] due, KEYS[3] job's gone URLs; ARGV url, reason, at (ISO), record prefix. How many it stopped. */
export const MARK_GONE = `
redis.call('SADD', KEYS[3], ARGV[1])
local stopped = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local key = ARGV[4] .. id
  local fields = redis.call('HMGET', key, 'state', 'url')
  if fields[1] == 'pending' and fields[2] == ARGV[1] then
    redis.call('HSET', key, 'state', 'exhausted', 'last_error', ARGV[2], 'updated_at', ARGV[3])
    redis.call('HDEL', key, 'claim', 'next_attempt_at')
    redis.call('ZREM', KEYS[2], id)
    stopped = stopped + 1
  end
end
return stopped`;

/** KEYS[1] job's deliveries, KEYS[2] due, KEYS[3] job's gone URLs; ARGV at (ISO), now (ms), record prefix. How many it queued again. */
export const REDELIVER = `
redis.call('DEL', KEYS[3])
local queued = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local key = ARGV[3] .. id
  if redis.call('HGET', key, 'state') == 'exhausted' then
    redis.call('HSET', key, 'state', 'pending', 'attempts', 0, 'next_attempt_at', ARGV[1], 'updated_at', ARGV[1])
    redis.call('HDEL', key, 'claim')
    redis.call('ZADD', KEYS[2], ARGV[2], id)
    queued = queued + 1
  end
end
return queued`;

/** KEYS[1] job's deliveries, KEYS[2] due, KEYS[3] job's gone URLs; ARGV record prefix. How many it deleted. */
export const DELETE_FOR_JOB = `
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, id in ipairs(ids) do
  redis.call('DEL', ARGV[1] .. id)
  redis.call('ZREM', KEYS[2], id)
end
redis.call('DEL', KEYS[1], KEYS[3])
return #ids`;

/** KEYS[1] job's deliveries; ARGV record prefix. */
export const PENDING_COUNT = `
local pending = 0
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if redis.call('HGET', ARGV[1] .. id, 'state') == 'pending' then pending = pending + 1 end
end
return pending`;
