import { JOB_STATE_LUA } from '../../job-state.js';

/**
 * The Lua scripts behind RedisJobStore. Each runs atomically inside Redis, so a check, the write it
 * guards and the job-level tally it changes can never interleave with another process's update.
 *
 * Field values are stored JSON-encoded (`"pending"`, `40`, `null`, `["w"]`), one hash field per
 * record field, so fields added to the records later are stored and returned without changes here.
 */

/**
 * Shared by both scripts: the job status from the tally (core's rule, JOB_STATE_LUA). A tally
 * written before files could be cancelled has no `cancelled` field: it counts 0.
 */
const JOB_STATUS_FN = `${JOB_STATE_LUA}
local function is_unfinished(status) return status == 'pending' or status == 'processing' end
`;

/**
 * KEYS: 1 job hash, 2 file-id list, 3 tally hash, 4 job-id set, 5… file hashes (in ARGV order).
 * ARGV: 1 job id, 2 job fields as a JSON array [field, value, …], 3… one such array per file.
 * Returns 1, or 0 when the job already exists.
 */
export const CREATE_JOB = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(cjson.decode(ARGV[2])))
local unfinished, failed, cancelled = 0, 0, 0
for i = 3, #ARGV do
  local pairs_ = cjson.decode(ARGV[i])
  redis.call('HSET', KEYS[i + 2], unpack(pairs_))
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
redis.call('HSET', KEYS[3], 'total', #ARGV - 2, 'unfinished', unfinished, 'failed', failed, 'cancelled', cancelled)
redis.call('SADD', KEYS[4], ARGV[1])
return 1
`;

/**
 * Shared by UPDATE_FILE and TRANSITION: a conditional update of one file and its job's tally.
 * `first_field` is the ARGV index where the field, JSON value pairs start. A restart also sets
 * progress 0 and generation + 1; a patch raises progress to at least `progress`, never lowers it.
 * Returns nil when the file is missing or the condition fails, else the job status after, whether
 * this update finished the job (1/0), and the file's status before.
 */
const APPLY_UPDATE_FN = `${JOB_STATUS_FN}
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
 * KEYS: 1 file hash, 2 job hash, 3 tally hash, 4 the job's event stream.
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
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[5], '*', 'd', payload)
end
if ARGV[7] == 'progress' then
  local progress = redis.call('HGET', KEYS[1], 'progress')
  if tonumber(progress) > tonumber(ARGV[8]) then
    local file_id = redis.call('HGET', KEYS[1], 'file_id')
    announce('{"type":"progress","job_id":' .. ARGV[6] .. ',"file_id":' .. file_id .. ',"progress":' .. progress .. '}')
  end
else
  announce(ARGV[8])
end
if r[2] == 1 then
  announce('{"type":"done","job_id":' .. ARGV[6] .. ',"status":"' .. r[1] .. '"}')
end
return { r[1], r[2], redis.call('HGETALL', KEYS[1]) }
`;
