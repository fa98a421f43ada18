import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { jobStateOfTally, type FileTally, type JobState } from '../../job-state.js';
import type { JobFileRecord, JobRecord, JobWithFiles } from '../../jobs/job.js';
import type {
  FileCondition,
  FilePatch,
  FinishedJobPosition,
  FinishedJobQuery,
  JobCounts,
  JobListPosition,
  JobListQuery,
  JobStore,
  UpdateOptions,
  UpdateResult,
} from '../../jobs/job-store.js';
import { createdAfterBound, createdBeforeBound, listOrderKey, lowestBound, mergeNewestFirst, positionOfListKey } from '../../jobs/job-list-order.js';
import type { Logger } from '../../logger.js';
import { callRedis } from './redis-errors.js';
import { ACTIVE_FILES, CREATE_JOB, DELETE_JOB, INDEX_JOB, SET_WEBHOOK_CURSOR, SET_WEBHOOK_URL, UPDATE_FILE } from './job-store.scripts.js';
import { indexKeys, jobKeys, jobSetKey } from './redis-keys.js';
import { decodeFields, decodeFile, encodeFields, isEmptyHash, pairsToHash } from './redis-records.js';

export interface RedisJobStoreOptions {
  /** A connected client; shared, not closed by the store. */
  redis: Redis;
  /**
   * Prepended to every key, so several deployments (or tests) can share one Redis.
   * @default 'i2m:'
   */
  prefix?: string;
  /** @default () => new Date() */
  now?: () => Date;
}

type ScriptReply = [JobState, number, string[]] | null;

interface StoreScripts {
  i2mCreateJob(...args: string[]): Promise<number>;
  i2mUpdateFile(...args: string[]): Promise<ScriptReply>;
  i2mIndexJob(...args: string[]): Promise<number>;
  i2mDeleteJob(...args: string[]): Promise<number>;
  i2mSetWebhookUrl(jobKey: string, url: string): Promise<number>;
  i2mSetWebhookCursor(jobKey: string, eventId: string): Promise<number>;
  i2mActiveFiles(ownerProcessingJobs: string, prefix: string): Promise<number>;
}

/** The index's layout; a deployment whose Redis has an older one (or none) is migrated at start. */
const INDEX_VERSION = '1';

const SCAN_BATCH = 500;

/**
 * JobStore on Redis for distributed mode. Per job: a hash for the job record, a hash per file, a
 * list of file ids (upload order) and a tally hash (`total`, `unfinished`, `failed`) from which
 * the job status follows; sorted sets index jobs by owner and status, finished jobs by last
 * update, and processing ones (see job-store.scripts.ts), changed by the same scripts as the state. Every change is one Lua script (see job-store.scripts.ts), so two
 * workers finishing files of one job at the same instant cannot lose an update, and exactly one
 * of them sees `job_finished`. Record fields are stored generically (one JSON value per field).
 *
 * @example
 * const store = new RedisJobStore({ redis, prefix: 'i2m:' });
 */
export class RedisJobStore implements JobStore {
  private readonly redis: Redis;
  private readonly scripts: StoreScripts;
  private readonly prefix: string;
  private readonly now: () => Date;
  private cursorKeyValue: Buffer | null = null;

  constructor(opts: RedisJobStoreOptions) {
    this.redis = opts.redis;
    this.prefix = opts.prefix ?? 'i2m:';
    this.now = opts.now ?? (() => new Date());
    this.redis.defineCommand('i2mCreateJob', { lua: CREATE_JOB });
    this.redis.defineCommand('i2mUpdateFile', { numberOfKeys: 3, lua: UPDATE_FILE });
    this.redis.defineCommand('i2mIndexJob', { numberOfKeys: 1, lua: INDEX_JOB });
    this.redis.defineCommand('i2mDeleteJob', { lua: DELETE_JOB });
    this.redis.defineCommand('i2mSetWebhookUrl', { numberOfKeys: 1, lua: SET_WEBHOOK_URL });
    this.redis.defineCommand('i2mSetWebhookCursor', { numberOfKeys: 1, lua: SET_WEBHOOK_CURSOR });
    this.redis.defineCommand('i2mActiveFiles', { numberOfKeys: 1, lua: ACTIVE_FILES });
    this.scripts = this.redis as unknown as StoreScripts;
  }

  async create(job: JobRecord, files: JobFileRecord[]): Promise<void> {
    const id = job.job_id;
    const keys = [this.jobKey(id), this.fileListKey(id), this.tallyKey(id), this.jobSetKey(), ...files.map((f) => this.fileKey(id, f.file_id))];
    const args = [id, this.prefix, job.owner, job.created_at, job.updated_at, JSON.stringify(encodeFields(job)), ...files.map((f) => JSON.stringify(encodeFields(f)))];
    const created = await callRedis(() => this.scripts.i2mCreateJob(String(keys.length), ...keys, ...args));
    if (created !== 1) throw new Error(`Job ${id} already exists`);
  }

  async get(jobId: string): Promise<JobWithFiles | null> {
    return callRedis(async () => {
      // File ids never change after create, so one MULTI over them is a consistent snapshot.
      const fileIds = await this.redis.lrange(this.fileListKey(jobId), 0, -1);
      const multi = this.redis.multi().hgetall(this.jobKey(jobId));
      for (const fileId of fileIds) multi.hgetall(this.fileKey(jobId, fileId));
      const replies = (await multi.exec()) ?? [];
      const [jobHash, ...fileHashes] = replies.map(([error, value]) => {
        if (error) throw error;
        return value as Record<string, string>;
      });
      if (!jobHash || isEmptyHash(jobHash)) return null;
      const files = fileHashes.filter((hash) => !isEmptyHash(hash)).map((hash) => decodeFile(hash));
      return { job: decodeFields<JobRecord>(jobHash), files };
    });
  }

  async getFile(jobId: string, fileId: string): Promise<JobFileRecord | null> {
    const hash = await callRedis(() => this.redis.hgetall(this.fileKey(jobId, fileId)));
    return isEmptyHash(hash) ? null : decodeFile(hash);
  }

  async updateFile(jobId: string, fileId: string, patch: FilePatch, condition?: FileCondition, opts: UpdateOptions = {}): Promise<UpdateResult | null> {
    await opts.after; // applying is making durable here: it waits first
    const { progress, ...rest } = patch;
    return this.runUpdate(jobId, fileId, { mode: 'patch', fields: rest, progress, condition });
  }

  async restartFile(
    jobId: string,
    fileId: string,
    patch: Parameters<JobStore['restartFile']>[2],
    condition: FileCondition,
  ): Promise<UpdateResult | null> {
    // Generic on purpose: fields the restart patch gains flow through; undefined ones keep their value.
    const fields = {
      status: 'pending',
      error: null,
      model_key: null,
      preview_key: null,
      remote_model_url: null,
      warnings: [],
      shape: null,
      ...patch,
    } satisfies Partial<JobFileRecord>;
    return this.runUpdate(jobId, fileId, { mode: 'restart', fields, progress: undefined, condition });
  }

  async setWebhookUrl(jobId: string, url: string): Promise<boolean> {
    return (await callRedis(() => this.scripts.i2mSetWebhookUrl(this.jobKey(jobId), JSON.stringify(url)))) === 1;
  }

  async webhookUrlOf(jobId: string): Promise<string | null> {
    const raw = await callRedis(() => this.redis.hget(this.jobKey(jobId), 'webhook_url'));
    return raw === null ? null : (JSON.parse(raw) as string | null);
  }

  async setWebhookCursor(jobId: string, eventId: string): Promise<void> {
    await callRedis(() => this.scripts.i2mSetWebhookCursor(this.jobKey(jobId), eventId));
  }

  async listJobs(query: JobListQuery): Promise<JobListPosition[]> {
    const keys = indexKeys(this.prefix);
    const upper = lowestBound(query.after && listOrderKey(query.after), query.created_before && createdBeforeBound(query.created_before));
    const max = upper === undefined ? '+' : `(${upper}`;
    const min = query.created_after === undefined ? '-' : `(${createdAfterBound(query.created_after)}`;
    const sets = query.statuses.length === 0 ? [keys.ownerJobs(query.owner)] : query.statuses.map((status) => keys.ownerJobsIn(query.owner, status));
    const pages = await callRedis(() => Promise.all(sets.map((set) => this.redis.zrange(set, max, min, 'BYLEX', 'REV', 'LIMIT', 0, query.limit))));
    return mergeNewestFirst(
      pages.map((members) => members.map(positionOfListKey)),
      query.limit,
    );
  }

  async listFinished(query: FinishedJobQuery): Promise<FinishedJobPosition[]> {
    const min = query.after ? `(${query.after.updated_at}|${query.after.job_id}` : '-';
    const members = await callRedis(() => this.redis.zrange(indexKeys(this.prefix).finished, min, `(${query.updated_before}`, 'BYLEX', 'LIMIT', 0, query.limit));
    return members.map((member) => {
      const { created_at: updated_at, job_id } = positionOfListKey(member);
      return { updated_at, job_id };
    });
  }

  async cursorKey(): Promise<Buffer> {
    if (this.cursorKeyValue) return this.cursorKeyValue;
    const key = indexKeys(this.prefix).cursorKey;
    // The first process to ask makes it; every other one reads the same.
    await callRedis(() => this.redis.set(key, randomBytes(32).toString('base64'), 'NX'));
    const stored = await callRedis(() => this.redis.get(key));
    if (stored === null) throw new Error('The list cursor key vanished from Redis');
    this.cursorKeyValue = Buffer.from(stored, 'base64');
    return this.cursorKeyValue;
  }

  /**
   * Enters every job made before the index into it (jobs made since are indexed by their create):
   * run by every process at start, and a no-op once the index's version is recorded. Each job is
   * entered by one script, so processes running it at once, or updates meanwhile, are safe.
   */
  async migrateIndex(logger?: Logger): Promise<number> {
    const keys = indexKeys(this.prefix);
    if ((await callRedis(() => this.redis.get(keys.version))) === INDEX_VERSION) return 0;
    let entered = 0;
    await this.forEachJobBatch(async (ids) => {
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.hmget(this.jobKey(id), 'owner', 'created_at', 'updated_at');
      const replies = (await pipeline.exec()) ?? [];
      for (const [index, [error, values]] of replies.entries()) {
        if (error) throw error;
        const [owner, created_at, updated_at] = (values as (string | null)[]).map((v) => (v === null ? null : (JSON.parse(v) as string)));
        const id = ids[index] as string;
        if (!owner || !created_at || !updated_at) continue;
        entered += await this.scripts.i2mIndexJob(this.tallyKey(id), id, this.prefix, owner, created_at, updated_at);
      }
    });
    await callRedis(() => this.redis.set(keys.version, INDEX_VERSION));
    if (entered > 0) logger?.info({ jobs: entered }, 'Entered jobs made before the job index into it');
    return entered;
  }

  async listUnfinished(): Promise<{ job_id: string; file: JobFileRecord }[]> {
    const unfinished: { job_id: string; file: JobFileRecord }[] = [];
    const ids = await callRedis(() => this.redis.smembers(indexKeys(this.prefix).processing));
    for (const id of ids) {
      const job = await this.get(id);
      for (const file of job?.files ?? []) {
        if (file.status === 'pending' || file.status === 'processing') unfinished.push({ job_id: id, file });
      }
    }
    return unfinished;
  }

  async activeFiles(owner: string): Promise<number> {
    const ownerProcessing = indexKeys(this.prefix).ownerJobsIn(owner, 'processing');
    return callRedis(() => this.scripts.i2mActiveFiles(ownerProcessing, this.prefix));
  }

  async counts(): Promise<JobCounts> {
    const counts: JobCounts = { active: 0, completed: 0, failed: 0, partial: 0, cancelled: 0 };
    await this.forEachJobBatch(async (ids) => {
      for (const tally of await this.tallies(ids)) {
        if (!tally) continue;
        const status = jobStateOfTally(tally);
        counts[status === 'processing' ? 'active' : status] += 1;
      }
    });
    return counts;
  }

  async delete(jobId: string): Promise<void> {
    await callRedis(async () => {
      const fileIds = await this.redis.lrange(this.fileListKey(jobId), 0, -1);
      const keys = [this.jobKey(jobId), this.fileListKey(jobId), this.tallyKey(jobId), this.jobSetKey(), ...fileIds.map((f) => this.fileKey(jobId, f))];
      await this.scripts.i2mDeleteJob(String(keys.length), ...keys, jobId);
    });
  }

  /** The client belongs to the caller, who closes it last. */
  async close(): Promise<void> {}

  private async runUpdate(
    jobId: string,
    fileId: string,
    update: { mode: 'patch' | 'restart'; fields: object; progress: number | undefined; condition: FileCondition | undefined },
  ): Promise<UpdateResult | null> {
    const { condition } = update;
    const reply = await callRedis(() =>
      this.scripts.i2mUpdateFile(
        this.fileKey(jobId, fileId),
        this.jobKey(jobId),
        this.tallyKey(jobId),
        update.mode,
        condition?.status ? JSON.stringify(condition.status) : '',
        condition?.generation !== undefined ? String(condition.generation) : '',
        update.progress !== undefined ? JSON.stringify(update.progress) : '',
        JSON.stringify(this.now().toISOString()),
        ...encodeFields(update.fields),
      ),
    );
    if (!reply) return null;
    const [jobStatus, finished, flat] = reply;
    return { file: decodeFile(pairsToHash(flat)), job_status: jobStatus, job_finished: finished === 1 };
  }

  private async tallies(ids: string[]): Promise<(FileTally | null)[]> {
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.tallyKey(id), 'total', 'unfinished', 'failed', 'cancelled');
    const replies = (await callRedis(() => pipeline.exec())) ?? [];
    return replies.map(([error, values]) => {
      if (error) throw error;
      const [total, unfinished, failed, cancelled] = (values as (string | null)[]).map((v) => (v === null ? null : Number(v)));
      return total === null || total === undefined ? null : { total, unfinished: unfinished ?? 0, failed: failed ?? 0, cancelled: cancelled ?? 0 };
    });
  }

  /** Visits every job id in batches (SSCAN, so a large set never blocks Redis). */
  private async forEachJobBatch(visit: (ids: string[]) => Promise<void>): Promise<void> {
    let cursor = '0';
    const seen = new Set<string>();
    do {
      const [next, ids] = await callRedis(() => this.redis.sscan(this.jobSetKey(), cursor, 'COUNT', SCAN_BATCH));
      cursor = next;
      const fresh = ids.filter((id) => !seen.has(id)); // SSCAN may return an element twice
      for (const id of fresh) seen.add(id);
      if (fresh.length > 0) await callRedis(() => visit(fresh));
    } while (cursor !== '0');
  }

  private jobSetKey(): string {
    return jobSetKey(this.prefix);
  }
  private jobKey(jobId: string): string {
    return jobKeys(this.prefix, jobId).job;
  }
  private fileListKey(jobId: string): string {
    return jobKeys(this.prefix, jobId).fileIds;
  }
  private tallyKey(jobId: string): string {
    return jobKeys(this.prefix, jobId).tally;
  }
  private fileKey(jobId: string, fileId: string): string {
    return jobKeys(this.prefix, jobId).file(fileId);
  }
}
