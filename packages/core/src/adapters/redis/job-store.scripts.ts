import { JOB_STATE_LUA } from '../../job-state.js';

/**
 * The Lua scripts behind RedisJobStore. Each runs atomically inside Redis, so a check, the write it
 * guards and the job-level tally it changes can never interleave with another process's update.
 *
 * Field values are stored JSON-encoded (`"pending"`, `40`, `null`, `["w"]`), one hash field per
 * record field, so fields added to the records later are stored and returned without changes here.
 */

/** The job status from the tally's counts (core's rule, JOB_STATE_LUA), and what counts as unfinished. */
const JOB_STATUS_FN = `${JOB_STATE_LUA}
local function is_unfinished(status) return status == 'pending' or status == 'processing' end
`;

/**
 * The indexes, kept in the same scripts as the state they index, so they are never out of step
 * with it. Per owner (the key hash): a sorted set of every job and one per job status, all members
 * `created_at|job_id` at score 0, read BYLEX (newest first with REV; job-list-order.ts); across the
 * deployment: `jobs:finished` (members `updated_at|job_id` of every job not processing, oldest
 * first: what retention deletes) and `jobs:processing` (work to resume). What a job's index keys
 * are is kept in its tally (`prefix`, `owner`, `member`, `job_id`, `finished_member`), so every
 * script that changes the job's status finds them. Index keys are named by the scripts, not passed
 * as KEYS: a standalone Redis (this service's deployment), not a Redis Cluster.
 */
const INDEX_FN = `
local function owner_jobs_key(prefix, owner, status)
  local key = prefix .. 'owner:' .. owner .. ':jobs'
  if status then key = key .. ':' .. status end
  return key
end
-- Moves the job between its owner's status sets and the deployment's finished/processing sets.
-- status_before is false for a job entering the index. A tally without index fields (a job made
-- before the index, not migrated yet) is left alone.
local function reindex(tally_key, status_before, status_after, updated_at)
  local meta = redis.call('HMGET', tally_key, 'prefix', 'owner', 'member', 'job_id', 'finished_member')
  local prefix, owner, member, job_id, finished_member = meta[1], meta[2], meta[3], meta[4], meta[5]
  if not prefix then return end
  if status_before ~= status_after then
    if status_before then redis.call('ZREM', owner_jobs_key(prefix, owner, status_before), member) end
    redis.call('ZADD', owner_jobs_key(prefix, owner, status_after), 0, member)
  end
  if finished_member then redis.call('ZREM', prefix .. 'jobs:finished', finished_member) end
  if status_after == 'processing' then
    redis.call('HDEL', tally_key, 'finished_member')
    redis.call('SADD', prefix .. 'jobs:processing', job_id)
  else
    local finished = updated_at .. '|' .. job_id
    redis.call('ZADD', prefix .. 'jobs:finished', 0, finished)
    redis.call('HSET', tally_key, 'finished_member', finished)
    redis.call('SREM', prefix .. 'jobs:processing', job_id)
  end
end
-- Enters a job into the index: its tally learns its index keys, its owner's sets get it.
local function index_job(tally_key, prefix, job_id, owner, created_at, updated_at, status)
  local member = created_at .. '|' .. job_id
  redis.call('HSET', tally_key, 'prefix', prefix, 'owner', owner, 'member', member, 'job_id', job_id)
  redis.call('ZADD', owner_jobs_key(prefix, owner, false), 0, member)
  reindex(tally_key, false, status, updated_at)
end
`;

/**
 * Shared by every script: the status rule, the index, and the job status from its tally hash. A
 * tally written before files could be cancelled has no `cancelled` field: it counts 0.
 */
const TALLY_STATUS_FN = `${JOB_STATUS_FN}${INDEX_FN}
local function tally_status(tally_key)
  local tally = redis.call('HMGET', tally_key, 'total', 'unfinished', 'failed', 'cancelled')
  return job_status(tonumber(tally[1]), tonumber(tally[2]), tonumber(tally[3]), tonumber(tally[4]) or 0)
end
`;

/**
 * KEYS: 1 job hash, 2 file-id list, 3 tally hash, 4 job-id set, 5… file hashes (in ARGV order).
 * ARGV: 1 job id, 2 key prefix, 3 owner, 4 created_at, 5 updated_at, 6 job fields as a JSON array
 * [field, value, …], 7… one such array per file.
 * Returns 1, or 0 when the job already exists.
 */
export const CREATE_JOB = `${TALLY_STATUS_FN}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(cjson.decode(ARGV[6])))
local unfinished, failed, cancelled = 0, 0, 0
for i = 7, #ARGV do
  local pairs_ = cjson.decode(ARGV[i])
  redis.call('HSET', KEYS[i - 2], unpack(pairs_))
  local file_id, status
  for j = 1, #pairs_, 2 do
    if pairs_[j] == 'file_id' then file_id = cjson.decode(pairs_[j + 1]) end
    if pairs_[j] == 'status' then status = cjson.decode(pairs_[j + 1]) end
  end
  redis.call('RPUSH', KEYS[2], file_id)
  if status == 'pending' or status == 'processing' then unfinished = unfinished + 1 end
  if status == 'failed' then failed = failed + 1 end
  if status == 'cancelled' then cancelled = cancelled + 1 end
end
redis.call('HSET', KEYS[3], 'total', #ARGV - 6, 'unfinished', unfinished, 'failed', failed, 'cancelled', cancelled)
redis.call('SADD', KEYS[4], ARGV[1])
index_job(KEYS[3], ARGV[2], ARGV[1], ARGV[3], ARGV[4], ARGV[5], tally_status(KEYS[3]))
return 1
`;

/**
 * Enters a job made before the index into it (the migration at start); a job already in it is
 * left alone, so every process may run it at once.
 * KEYS: 1 tally hash. ARGV: 1 job id, 2 key prefix, 3 owner, 4 created_at, 5 updated_at.
 * Returns 1 when the job was entered, 0 when it was already in or is gone.
 */
export const INDEX_JOB = `${TALLY_STATUS_FN}
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'prefix') == 1 then return 0 end
index_job(KEYS[1], ARGV[2], ARGV[1], ARGV[3], ARGV[4], ARGV[5], tally_status(KEYS[1]))
return 1
`;

/**
 * Replaces a job's webhook URL, unless the job is gone (a deleted job's hash must not come back).
 * KEYS: 1 job hash. ARGV: 1 the URL, JSON-encoded like every record field. Returns 1, or 0 when gone.
 */
export const SET_WEBHOOK_URL = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'webhook_url', ARGV[1])
return 1
`;

/**
 * Moves a job's webhook cursor forward (never back: two processes may feed one job at once),
 * unless the job is gone. Ids are stream ids (`<ms>-<seq>`), compared as two numbers.
 * KEYS: 1 job hash. ARGV: 1 the event id. Returns 1 when moved, else 0.
 */
export const SET_WEBHOOK_CURSOR = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local new_ms, new_seq = string.match(ARGV[1], '^(%d+)-(%d+)$')
local current = redis.call('HGET', KEYS[1], 'webhook_cursor')
if current and new_ms then
  local ms, seq = string.match(cjson.decode(current), '^(%d+)-(%d+)$')
  if ms and (tonumber(ms) > tonumber(new_ms) or (tonumber(ms) == tonumber(new_ms) and tonumber(seq) >= tonumber(new_seq))) then return 0 end
end
redis.call('HSET', KEYS[1], 'webhook_cursor', cjson.encode(ARGV[1]))
return 1
`;

/**
 * Deletes a job: its records and every index entry of it, in one step.
 * KEYS: 1 job hash, 2 file-id list, 3 tally hash, 4 job-id set, 5… file hashes. ARGV: 1 job id.
 */
export const DELETE_JOB = `${TALLY_STATUS_FN}
local meta = redis.call('HMGET', KEYS[3], 'prefix', 'owner', 'member', 'finished_member')
local prefix, owner, member, finished_member = meta[1], meta[2], meta[3], meta[4]
if prefix then
  redis.call('ZREM', owner_jobs_key(prefix, owner, false), member)
  redis.call('ZREM', owner_jobs_key(prefix, owner, tally_status(KEYS[3])), member)
  if finished_member then redis.call('ZREM', prefix .. 'jobs:finished', finished_member) end
  redis.call('SREM', prefix .. 'jobs:processing', ARGV[1])
end
redis.call('DEL', unpack(KEYS, 1, 3))
if #KEYS > 4 then redis.call('DEL', unpack(KEYS, 5, #KEYS)) end
redis.call('SREM', KEYS[4], ARGV[1])
return 1
`;

/**
 * How many of one owner's files are pending or processing: the tallies' `unfinished`, summed over
 * the owner's processing jobs. Computed, not kept as a counter of its own: every script that
 * changes a file's status already keeps its tally and the owner's status sets in step, deletion
 * included, so there is no second count to drift. One script, so the sum is of one instant; it
 * reads one tally per processing job of the owner, whose number the limit itself bounds.
 * KEYS: 1 the owner's set of processing jobs. ARGV: 1 key prefix. Returns the count.
 */
export const ACTIVE_FILES = `
local total = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local job_id = string.sub(member, string.find(member, '|', 1, true) + 1)
  total = total + (tonumber(redis.call('HGET', ARGV[1] .. 'job:' .. job_id .. ':tally', 'unfinished')) or 0)
end
return total
`;

/**
 * Shared by UPDATE_FILE and TRANSITION: a conditional update of one file and its job's tally.
 * `first_field` is the ARGV index where the field, JSON value pairs start. A restart also sets
 * progress 0 and generation + 1; a patch raises progress to at least `progress`, never lowers it.
 * Returns nil when the file is missing or the condition fails, else the job status after, whether
 * this update finished the job (1/0), and the file's status before.
 */
const APPLY_UPDATE_FN = `${TALLY_STATUS_FN}
local function apply_update(file_key, job_key, tally_key, mode, statuses, required_generation, progress, now, first_field)
  if redis.call('EXISTS', file_key) == 0 then return nil end
  local before_status = cjson.decode(redis.call('HGET', file_key, 'status'))
  local generation = tonumber(redis.call('HGET', file_key, 'generation'))
  if statuses ~= '' then
    local allowed = false
    for _, status in ipairs(cjson.decode(statuses)) do
      if status == before_status then allowed = true end
    end
    if not allowed then return nil end
  end
  if required_generation ~= '' and tonumber(required_generation) ~= generation then return nil end

  local tally = redis.call('HMGET', tally_key, 'total', 'unfinished', 'failed', 'cancelled')
  local total, unfinished, failed = tonumber(tally[1]), tonumber(tally[2]), tonumber(tally[3])
  local cancelled = tonumber(tally[4]) or 0
  local job_before = job_status(total, unfinished, failed, cancelled)

  for i = first_field, #ARGV, 2 do redis.call('HSET', file_key, ARGV[i], ARGV[i + 1]) end
  if mode == 'restart' then
    redis.call('HSET', file_key, 'progress', 0, 'generation', generation + 1)
  elseif progress ~= '' then
    local current = tonumber(redis.call('HGET', file_key, 'progress')) or 0
    if tonumber(progress) > current then redis.call('HSET', file_key, 'progress', progress) end
  end
  redis.call('HSET', file_key, 'updated_at', now)
  redis.call('HSET', job_key, 'updated_at', now)

  local after_status = cjson.decode(redis.call('HGET', file_key, 'status'))
  if is_unfinished(before_status) ~= is_unfinished(after_status) then
    unfinished = unfinished + (is_unfinished(after_status) and 1 or -1)
  end
  if (before_status == 'failed') ~= (after_status == 'failed') then
    failed = failed + (after_status == 'failed' and 1 or -1)
  end
  if (before_status == 'cancelled') ~= (after_status == 'cancelled') then
    cancelled = cancelled + (after_status == 'cancelled' and 1 or -1)
  end
  redis.call('HSET', tally_key, 'unfinished', unfinished, 'failed', failed, 'cancelled', cancelled)
  local job_after = job_status(total, unfinished, failed, cancelled)
  reindex(tally_key, job_before, job_after, cjson.decode(now))
  local finished = 0
  if job_before == 'processing' and job_after ~= 'processing' then finished = 1 end
  return { job_after, finished, before_status }
end
`;

/**
 * KEYS: 1 file hash, 2 job hash, 3 tally hash.
 * ARGV: 1 mode ('patch' | 'restart'), 2 allowed statuses as a JSON array or '', 3 required
 * generation or '', 4 progress or '', 5 now (JSON-encoded), 6… field, JSON value pairs.
 * Returns false when the file is missing or the condition fails, else
 * { job status after, 1 if this update finished the job else 0, HGETALL of the file }.
 */
export const UPDATE_FILE = `${APPLY_UPDATE_FN}
local r = apply_update(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], 6)
if not r then return false end
return { r[1], r[2], redis.call('HGETALL', KEYS[1]) }
`;

/**
 * A patch and the event announcing it, in one atomic step (then `done` when it finished the job),
 * so no follower can see the one without the other or `done` before any file's final event.
 * A final event also marks the job unfed (KEYS 5, job id → the id of its last event): the
 * webhook feeder has events of it to queue, and a periodic pass feeds every job still marked, so
 * a process that dies between this script and its feeding loses no webhook.
 * KEYS: 1 file hash, 2 job hash, 3 tally hash, 4 the job's event stream, 5 the unfed jobs hash.
 * ARGV: 1 allowed statuses (JSON array or ''), 2 required generation or '', 3 progress or '',
 * 4 now (JSON), 5 the stream's MAXLEN, 6 the job id (JSON), 7 announce: 'progress' (the stored
 * progress, when above ARGV 8) or 'final' (ARGV 8 is the event, as JSON), 8 see 7, 9… field,
 * JSON value pairs. Event payloads are built with the same key order as JSON.stringify in JS.
 * Returns as UPDATE_FILE.
 */
export const TRANSITION = `${APPLY_UPDATE_FN}
local r = apply_update(KEYS[1], KEYS[2], KEYS[3], 'patch', ARGV[1], ARGV[2], ARGV[3], ARGV[4], 9)
if not r then return false end
local function announce(payload)
  return redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[5], '*', 'd', payload)
end
local last_final
if ARGV[7] == 'progress' then
  local progress = redis.call('HGET', KEYS[1], 'progress')
  if tonumber(progress) > tonumber(ARGV[8]) then
    local file_id = redis.call('HGET', KEYS[1], 'file_id')
    announce('{"type":"progress","job_id":' .. ARGV[6] .. ',"file_id":' .. file_id .. ',"progress":' .. progress .. '}')
  end
else
  last_final = announce(ARGV[8])
end
if r[2] == 1 then
  last_final = announce('{"type":"done","job_id":' .. ARGV[6] .. ',"status":"' .. r[1] .. '"}')
end
if last_final then redis.call('HSET', KEYS[5], cjson.decode(ARGV[6]), last_final) end
return { r[1], r[2], redis.call('HGETALL', KEYS[1]) }
`;
