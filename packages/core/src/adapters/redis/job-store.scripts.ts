/**
 * The Lua scripts behind RedisJobStore. Each runs atomically inside Redis, so a check, the write it
 * guards and the job-level tally it changes can never interleave with another process's update.
 *
 * Field values are stored JSON-encoded (`"pending"`, `40`, `null`, `["w"]`), one hash field per
 * record field, so fields added to the records later are stored and returned without changes here.
 */

/** Shared by both scripts: the job status from the tally (mirrors `deriveJobStatus`). */
const JOB_STATUS_FN = `
local function job_status(total, unfinished, failed)
  if unfinished > 0 then return 'processing' end
  if failed == 0 then return 'completed' end
  if failed == total then return 'failed' end
  return 'partial'
end
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
local unfinished, failed = 0, 0
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
end
redis.call('HSET', KEYS[3], 'total', #ARGV - 2, 'unfinished', unfinished, 'failed', failed)
redis.call('SADD', KEYS[4], ARGV[1])
return 1
`;

/**
 * KEYS: 1 file hash, 2 job hash, 3 tally hash.
 * ARGV: 1 mode ('patch' | 'restart'), 2 allowed statuses as a JSON array or '', 3 required
 * generation or '', 4 progress or '' (patch: raised to at least this, never lowered), 5 now
 * (JSON-encoded), 6… field, JSON value pairs. A restart also sets progress 0 and generation + 1.
 * Returns false when the file is missing or the condition fails, else
 * { job status after, 1 if this update finished the job else 0, HGETALL of the file }.
 */
export const UPDATE_FILE = `${JOB_STATUS_FN}
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local before_status = cjson.decode(redis.call('HGET', KEYS[1], 'status'))
local generation = tonumber(redis.call('HGET', KEYS[1], 'generation'))
if ARGV[2] ~= '' then
  local allowed = false
  for _, status in ipairs(cjson.decode(ARGV[2])) do
    if status == before_status then allowed = true end
  end
  if not allowed then return false end
end
if ARGV[3] ~= '' and tonumber(ARGV[3]) ~= generation then return false end

local tally = redis.call('HMGET', KEYS[3], 'total', 'unfinished', 'failed')
local total, unfinished, failed = tonumber(tally[1]), tonumber(tally[2]), tonumber(tally[3])
local job_before = job_status(total, unfinished, failed)

for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[1] == 'restart' then
  redis.call('HSET', KEYS[1], 'progress', 0, 'generation', generation + 1)
elseif ARGV[4] ~= '' then
  local current = tonumber(redis.call('HGET', KEYS[1], 'progress')) or 0
  if tonumber(ARGV[4]) > current then redis.call('HSET', KEYS[1], 'progress', ARGV[4]) end
end
redis.call('HSET', KEYS[1], 'updated_at', ARGV[5])
redis.call('HSET', KEYS[2], 'updated_at', ARGV[5])

local after_status = cjson.decode(redis.call('HGET', KEYS[1], 'status'))
if is_unfinished(before_status) ~= is_unfinished(after_status) then
  unfinished = unfinished + (is_unfinished(after_status) and 1 or -1)
end
if (before_status == 'failed') ~= (after_status == 'failed') then
  failed = failed + (after_status == 'failed' and 1 or -1)
end
redis.call('HSET', KEYS[3], 'unfinished', unfinished, 'failed', failed)
local job_after = job_status(total, unfinished, failed)
local finished = 0
if job_before == 'processing' and job_after ~= 'processing' then finished = 1 end
return { job_after, finished, redis.call('HGETALL', KEYS[1]) }
`;
