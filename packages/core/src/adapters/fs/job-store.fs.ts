import { mkdir, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { deriveJobState, jobStateOfTally, tallyFiles } from '../../job-state.js';
import type { JobFileRecord, JobRecord, JobWithFiles } from '../../jobs/job.js';
import { upgradeFileRecord } from '../../jobs/file-warnings.js';
import type {
  FileCondition,
  FilePatch,
  FinishedJobPosition,
  FinishedJobQuery,
  JobCounts,
  JobListPosition,
  JobListQuery,
  JobStore,
  RestartPatch,
  UpdateOptions,
  UpdateResult,
} from '../../jobs/job-store.js';
import { silentLogger, type Logger } from '../../logger.js';
import { isNotFound, isSafeSegment, isTempName, prepareFileAtomic } from './atomic-file.js';
import { sweepFiles } from '../../storage/sweep-files.js';
import { FileWriter, type PreparedWrite } from './file-writer.js';
import { appendMissingFinalEvents } from '../../jobs/final-event-recovery.js';
import type { JobEvents } from '../../jobs/job-events.js';
import { compareFsEventIds, FsJobEvents } from './job-events.fs.js';
import { SqliteJobIndex, type JobIndexRow } from './job-index.sqlite.js';

export interface FsJobStoreOptions {
  /** The data directory; each job is `<root>/jobs/<job_id>/job.json`. */
  root: string;
  logger?: Logger;
  /** @default () => new Date() */
  now?: () => Date;
  /**
   * The event log the service will use, for the final events `open` recovers. An event the disk
   * has no room for is kept (and replayed) only by the instance that published it, so only the
   * service's own instance can hand it to followers. @default a log opened for the recovery only
   */
  events?: JobEvents;
  /** Jobs kept in memory besides those being written: the most recently used. @default 1000 */
  cacheSize?: number;
  /**
   * More start-up recovery over the jobs the previous run changed (the webhook feeding), run after
   * their lost final events are appended and before they are recorded as checked, so a crash
   * during it has the next start run it again.
   */
  recover?: (store: FsJobStore, jobIds: readonly string[]) => Promise<unknown>;
}

interface StoredJob {
  job: JobRecord;
  files: Map<string, JobFileRecord>;
}

const FORMAT_VERSION = 1;

/** The index's file, in the data directory (beside `jobs/`, so no job id can name it). */
export const JOB_INDEX_FILE = 'job-index.sqlite';

/** job.json files read at once when the index is built from them. */
const READ_CONCURRENCY = 32;

/**
 * JobStore for embedded mode. Each job is persisted as one JSON file, replaced atomically, so a
 * SIGKILL at any moment leaves either the old or the new state on disk. In memory: the jobs being
 * written (their state is ahead of the disk until the write lands) and the most recently used
 * ones, never every job; the rest is read from job.json when asked for. Single-threaded, so every
 * method's read-modify-write is atomic once the job is in memory.
 *
 * An on-disk index (SqliteJobIndex) lists, filters, expires and counts jobs without reading them:
 * each row (owner, created_at, updated_at, status, its pending + processing files) is written in the same synchronous step as the
 * in-memory change it reflects, so it is exactly as fresh as what `get` answers. It runs ahead of
 * job.json like the memory does; after a crash, a start re-reads the job.json of every job whose
 * row the crashed run wrote (each row carries the run that wrote it) and corrects the row from it,
 * which is also where final events a crash lost are recovered. A data directory without an index
 * (made before it existed) gets one built from its job.json files at start.
 *
 * @example
 * const store = await FsJobStore.open({ root: dataDir });
 */
export class FsJobStore implements JobStore {
  /** Jobs in memory, least recently used first (see `evict`). */
  private readonly jobs = new Map<string, StoredJob>();
  /** One read of a job.json at a time per job, so two readers never hold two copies of it. */
  private readonly loading = new Map<string, Promise<boolean>>();
  /** Jobs being deleted: a read that finishes now must not bring them back. */
  private readonly deleting = new Set<string>();
  /** Jobs whose index row could not be written (a full disk): kept in memory, written with the next row that can be. */
  private readonly unindexed = new Set<string>();
  /** Per file (`fileKey`): durable changes applied in memory and still being written (or undone). */
  private readonly unwritten = new Map<string, Set<Promise<void>>>();
  private readonly writer: FileWriter;
  private readonly root: string;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private readonly index: SqliteJobIndex;
  private readonly cacheSize: number;
  /** This run of the store (one per open), written into every index row it writes. */
  private readonly run: number;
  private evictionScheduled = false;
  private closed = false;

  private constructor(opts: FsJobStoreOptions, index: SqliteJobIndex) {
    this.root = path.resolve(opts.root);
    this.logger = opts.logger ?? silentLogger;
    this.now = opts.now ?? (() => new Date());
    this.cacheSize = opts.cacheSize ?? 1000;
    this.writer = new FileWriter((jobId) => this.prepareSnapshot(jobId));
    this.index = index;
    this.run = Number(index.meta('run') ?? 0) + 1;
    this.recordMeta('run', this.run);
  }

  /**
   * Run bookkeeping that a full disk may refuse: not recording a run only means its rows, or the
   * previous run's, are checked once more at the next start.
   */
  private recordMeta(key: string, value: number): void {
    try {
      this.index.setMeta(key, value);
    } catch (error) {
      this.logger.warn({ err: error, key }, 'Recording the job index run failed; the next start checks more rows');
    }
  }

  /**
   * Opens the store and its index (built from the job.json files when the data directory has
   * none yet), corrects the rows of the jobs the previous run changed from their job.json, and
   * appends to those jobs' event logs the final events a crash lost (see appendMissingFinalEvents):
   * it runs here because nothing can generate before the store is open, so a final mark without
   * its event can only be a lost one. Only jobs the previous run touched are read.
   */
  static async open(opts: FsJobStoreOptions): Promise<FsJobStore> {
    const root = path.resolve(opts.root);
    await mkdir(root, { recursive: true });
    const store = new FsJobStore(opts, new SqliteJobIndex(path.join(root, JOB_INDEX_FILE)));
    const previous = store.run - 1;
    const jobIds = await store.checkPreviousRun(previous);
    const events = opts.events ?? new FsJobEvents({ root: store.root, logger: store.logger });
    try {
      await appendMissingFinalEvents({ store, events, logger: store.logger, jobIds });
      await opts.recover?.(store, jobIds);
    } finally {
      if (!opts.events) await events.close();
    }
    // Only now: a crash before this point checks the same jobs again at the next start.
    store.recordMeta('checked_run', previous);
    await store.countActiveFilesOnce();
    return store;
  }

  async create(job: JobRecord, files: JobFileRecord[]): Promise<void> {
    if (!isSafeSegment(job.job_id)) throw new Error(`Invalid job id: ${job.job_id}`);
    if (this.jobs.has(job.job_id) || this.index.has(job.job_id)) throw new Error(`Job ${job.job_id} already exists`);
    const stored: StoredJob = {
      job: structuredClone(job),
      files: new Map(files.map((f) => [f.file_id, structuredClone(f)])),
    };
    this.remember(job.job_id, stored);
    try {
      // Before job.json: a crash in between leaves a row whose job.json is missing, which the next
      // start removes; never a job.json the index does not know.
      this.index.upsert(rowOf(stored), this.run);
      await this.writer.persist(job.job_id);
    } catch (error) {
      // Never created: a job whose job.json (or row) did not fit must not linger in memory or in the index as an active job.
      if (this.jobs.get(job.job_id) === stored) {
        this.jobs.delete(job.job_id);
        this.forgetRow(job.job_id);
      }
      throw error;
    }
  }

  async get(jobId: string): Promise<JobWithFiles | null> {
    const stored = await this.resident(jobId);
    return stored ? snapshot(stored) : null;
  }

  async getFile(jobId: string, fileId: string): Promise<JobFileRecord | null> {
    const file = (await this.resident(jobId))?.files.get(fileId);
    return file ? structuredClone(file) : null;
  }

  async updateFile(
    jobId: string,
    fileId: string,
    patch: FilePatch,
    condition?: FileCondition,
    opts: UpdateOptions = {},
  ): Promise<UpdateResult | null> {
    const { progress, ...rest } = patch;
    // A job in memory is changed at once, in the caller's own step (as a lazy update's caller expects).
    if (!this.touch(jobId) && !(await this.resident(jobId))) return null;
    // From here to the write's start, one synchronous step: the job cannot leave memory meanwhile.
    const previous = structuredClone(this.jobs.get(jobId)?.files.get(fileId));
    const result = this.mutate(jobId, fileId, condition, (file) => {
      Object.assign(file, structuredClone(rest));
      if (progress !== undefined) file.progress = Math.max(file.progress, progress);
    });
    if (!result || !previous) return null;
    if (opts.durability === 'lazy') {
      this.writer.persistLater(jobId, (error) => this.logger.warn({ err: error, job_id: jobId }, 'Persisting a lazy update failed'));
    } else {
      await this.persistOrUndo(jobId, result.file, previous, opts.after);
    }
    return result;
  }

  async restartFile(
    jobId: string,
    fileId: string,
    patch: RestartPatch,
    condition: FileCondition,
  ): Promise<UpdateResult | null> {
    // Readers already see a final mark that is still being made durable (e.g. waiting for its
    // model's fsync), but it may yet be undone: a restart built on it would then be undone back to
    // the mark, and its `done` would be announced while the new generation runs. So a restart
    // waits for it (milliseconds), then finds the mark durable, or undone (the file processing: 409).
    await this.untilWritten(fileKey(jobId, fileId));
    if (!(await this.resident(jobId))) return null;
    const previous = structuredClone(this.jobs.get(jobId)?.files.get(fileId));
    const result = this.mutate(jobId, fileId, condition, (file) => {
      Object.assign(file, {
        status: 'pending',
        progress: 0,
        error: null,
        model_key: null,
        preview_key: null,
        remote_model_url: null,
        warnings: [],
        shape: null,
        generation: file.generation + 1,
        face_limit: patch.face_limit,
        model_task_id: patch.model_task_id,
        ...(patch.tripo_options ? { tripo_options: patch.tripo_options } : {}),
      } satisfies Partial<JobFileRecord>);
    });
    if (!result || !previous) return null;
    await this.persistOrUndo(jobId, result.file, previous);
    return result;
  }

  async webhookUrlOf(jobId: string): Promise<string | null> {
    return (await this.resident(jobId))?.job.webhook_url ?? null;
  }

  async setWebhookUrl(jobId: string, url: string): Promise<boolean> {
    const stored = await this.resident(jobId);
    if (!stored) return false;
    const previous = stored.job.webhook_url;
    stored.job.webhook_url = url;
    try {
      await this.writer.persist(jobId);
    } catch (error) {
      // Not left in memory, where it would be served and written later as if it had been stored.
      if (stored.job.webhook_url === url) {
        if (previous === undefined) delete stored.job.webhook_url;
        else stored.job.webhook_url = previous;
      }
      this.rewriteAfterUndo(jobId);
      throw error;
    }
    return true;
  }

  async setWebhookCursor(jobId: string, eventId: string): Promise<void> {
    const stored = await this.resident(jobId);
    const current = stored?.job.webhook_cursor;
    if (!stored || (current !== undefined && compareFsEventIds(current, eventId) >= 0)) return;
    stored.job.webhook_cursor = eventId;
    // Lazy (see JobStore.setWebhookCursor): a final event costs no second fsync of job.json.
    this.writer.persistLater(jobId, (error) => this.logger.warn({ err: error, job_id: jobId }, 'Persisting the webhook cursor failed'));
  }

  async listJobs(query: JobListQuery): Promise<JobListPosition[]> {
    return this.index.listJobs(query);
  }

  async listFinished(query: FinishedJobQuery): Promise<FinishedJobPosition[]> {
    return this.index.listFinished(query);
  }

  async cursorKey(): Promise<Buffer> {
    return this.index.cursorKey();
  }

  async listUnfinished(): Promise<{ job_id: string; file: JobFileRecord }[]> {
    const unfinished: { job_id: string; file: JobFileRecord }[] = [];
    for (const jobId of this.index.idsWithStatus('processing')) {
      const stored = await this.resident(jobId);
      if (!stored) continue;
      const files = [...stored.files.values()].filter((file) => file.status === 'pending' || file.status === 'processing');
      for (const file of files) unfinished.push({ job_id: jobId, file: structuredClone(file) });
      if (files.length === 0) this.writeRow(stored); // a row a full disk left behind its job
    }
    return unfinished;
  }

  async activeFiles(owner: string): Promise<number> {
    return this.index.activeFiles(owner);
  }

  async counts(): Promise<JobCounts> {
    return this.index.counts();
  }

  async delete(jobId: string): Promise<void> {
    if (this.deleting.has(jobId) || !this.index.has(jobId)) return;
    this.deleting.add(jobId);
    try {
      this.jobs.delete(jobId);
      await this.writer.settled(jobId); // a write still in flight must not resurrect the file
      const dir = this.jobDir(jobId);
      await rm(path.join(dir, 'job.json'), { force: true });
      // After job.json: a crash in between leaves a row without a job.json, which a read or the next start removes.
      this.forgetRow(jobId);
      await rmdir(dir).catch(() => undefined); // only when nothing else (uploads, events) lives there
    } finally {
      this.deleting.delete(jobId);
    }
  }

  async close(): Promise<void> {
    await this.writer.settleAll();
    if (this.closed) return;
    this.writeUnindexedRows();
    this.closed = true;
    this.index.close();
  }

  /** The synchronous read-modify-write every update goes through. */
  private mutate(
    jobId: string,
    fileId: string,
    condition: FileCondition | undefined,
    apply: (file: JobFileRecord) => void,
  ): UpdateResult | null {
    const stored = this.jobs.get(jobId);
    const file = stored?.files.get(fileId);
    if (!stored || !file || !holds(file, condition)) return null;
    const before = deriveJobState([...stored.files.values()]);
    apply(file);
    const at = this.now().toISOString();
    file.updated_at = at;
    stored.job.updated_at = at;
    const after = deriveJobState([...stored.files.values()]);
    this.writeRow(stored);
    return { file: structuredClone(file), job_status: after, job_finished: before === 'processing' && after !== 'processing' };
  }

  /**
   * Makes a change durable, or undoes it: a change that failed to persist (a full disk) must not
   * stay in memory, where it would be served and written later as if it had succeeded.
   */
  private async persistOrUndo(jobId: string, applied: JobFileRecord, previous: JobFileRecord, after?: Promise<unknown>): Promise<void> {
    const undo = (error: unknown): never => {
      this.undo(jobId, applied, previous);
      throw error;
    };
    // Undone in the very step the precondition's failure is seen, so no write that starts later holds it.
    const guarded = after?.catch(undo);
    const writing = Promise.all([this.writer.persist(jobId, guarded), guarded]).then(() => undefined, undo);
    this.trackUnwritten(fileKey(jobId, applied.file_id), writing);
    try {
      await writing;
    } catch (error) {
      this.rewriteAfterUndo(jobId);
      throw error;
    }
  }

  private trackUnwritten(key: string, writing: Promise<void>): void {
    const pending = this.unwritten.get(key) ?? new Set<Promise<void>>();
    this.unwritten.set(key, pending.add(writing));
    const forget = (): void => {
      pending.delete(writing);
      if (pending.size === 0 && this.unwritten.get(key) === pending) this.unwritten.delete(key);
    };
    writing.then(forget, forget);
  }

  /** Resolves once no durable change of the file is still being written, whether it was written or undone. */
  private async untilWritten(key: string): Promise<void> {
    for (let pending = this.unwritten.get(key); pending; pending = this.unwritten.get(key)) await Promise.allSettled(pending);
  }

  /**
   * Writes overlap: a write whose snapshot was taken before the undo may hold the undone change
   * and still be put in place after the failed one (the disk had room again). A snapshot taken now
   * is newer, so it replaces that one; if it fails too, the job's next write does.
   */
  private rewriteAfterUndo(jobId: string): void {
    this.writer.persist(jobId).catch((error: unknown) => {
      this.logger.warn({ err: error, job_id: jobId }, 'Writing a job after undoing a change failed; its job.json may hold the change until its next write');
    });
  }

  /** Puts a file back as it was before `applied`, unless something changed it since. */
  private undo(jobId: string, applied: JobFileRecord, previous: JobFileRecord): void {
    const stored = this.jobs.get(jobId);
    const current = stored?.files.get(applied.file_id);
    if (!stored || !current || JSON.stringify(current) !== JSON.stringify(applied)) return;
    stored.files.set(applied.file_id, previous);
    this.writeRow(stored);
  }

  private jobDir(jobId: string): string {
    return path.join(this.root, 'jobs', jobId);
  }

  private async prepareSnapshot(jobId: string): Promise<PreparedWrite | null> {
    const stored = this.jobs.get(jobId);
    if (!stored) return null; // deleted meanwhile
    // Serialised synchronously (the snapshot is this instant's state), so the live records need no defensive copy.
    const body = JSON.stringify({ version: FORMAT_VERSION, job: stored.job, files: [...stored.files.values()] });
    return prepareFileAtomic(path.join(this.jobDir(jobId), 'job.json'), body);
  }

  /**
   * The job in memory, read from its job.json when it is not; null when it does not exist. The
   * caller may use the answer synchronously: jobs leave memory only in a later macrotask (`evict`).
   */
  private async resident(jobId: string): Promise<StoredJob | null> {
    for (;;) {
      const stored = this.touch(jobId);
      if (stored) return stored;
      if (!(await this.load(jobId))) return null;
    }
  }

  /** The job if it is in memory, made the most recently used. */
  private touch(jobId: string): StoredJob | undefined {
    const stored = this.jobs.get(jobId);
    if (stored) {
      this.jobs.delete(jobId);
      this.jobs.set(jobId, stored);
    }
    return stored;
  }

  private load(jobId: string): Promise<boolean> {
    let loading = this.loading.get(jobId);
    if (!loading) {
      loading = this.readIntoMemory(jobId).finally(() => this.loading.delete(jobId));
      this.loading.set(jobId, loading);
    }
    return loading;
  }

  private async readIntoMemory(jobId: string): Promise<boolean> {
    if (this.jobs.has(jobId)) return true;
    // The index knows every job: an unknown id never reaches the disk.
    if (this.deleting.has(jobId) || !this.index.has(jobId)) return false;
    const read = await readStoredJob(this.jobDir(jobId), jobId);
    if (this.jobs.has(jobId)) return true;
    if (this.deleting.has(jobId) || !this.index.has(jobId)) return false;
    if (read === 'missing') {
      this.forgetRow(jobId); // a create or delete a crash cut short
      return false;
    }
    if (read === 'unreadable') {
      this.logger.error({ job_id: jobId }, 'Ignoring an unreadable job.json');
      return false;
    }
    this.remember(jobId, read);
    return true;
  }

  /**
   * Writes the job's index row. On a full disk the row is not written, but the change stays: the
   * index is derived from the jobs, and job.json's own write (which fails on the same full disk)
   * decides whether a durable change stands. The job stays in memory, and its row is written with
   * the next row that can be, or at close.
   */
  private writeRow(stored: StoredJob): void {
    const jobId = stored.job.job_id;
    try {
      this.index.upsert(rowOf(stored), this.run);
    } catch (error) {
      if (!this.unindexed.has(jobId)) this.logger.warn({ err: error, job_id: jobId }, 'Writing a job index row failed; it is written again with the next one');
      this.unindexed.add(jobId);
      return;
    }
    this.unindexed.delete(jobId);
    if (this.unindexed.size > 0) this.writeUnindexedRows();
  }

  private writeUnindexedRows(): void {
    for (const jobId of this.unindexed) {
      const stored = this.jobs.get(jobId);
      try {
        if (stored) this.index.upsert(rowOf(stored), this.run);
      } catch {
        return; // still full: the next row tries again
      }
      this.unindexed.delete(jobId);
    }
  }

  /** Removes the job's row; on a full disk it stays, and the next read finds its job.json missing and tries again. */
  private forgetRow(jobId: string): void {
    this.unindexed.delete(jobId);
    try {
      this.index.remove(jobId);
    } catch (error) {
      this.logger.warn({ err: error, job_id: jobId }, 'Removing a job index row failed; the next read of the job removes it');
    }
  }

  private remember(jobId: string, stored: StoredJob): void {
    this.jobs.set(jobId, stored);
    if (this.jobs.size > this.cacheSize && !this.evictionScheduled) {
      this.evictionScheduled = true;
      setImmediate(() => this.evict());
    }
  }

  /**
   * Drops the least recently used jobs beyond `cacheSize` whose state is all on disk (no write
   * running, waiting, deferred or held). In a macrotask of its own, so a job a method has just
   * found in memory stays there until that method's synchronous step is done.
   */
  private evict(): void {
    this.evictionScheduled = false;
    for (const jobId of this.jobs.keys()) {
      if (this.jobs.size <= this.cacheSize) return;
      if (!this.writer.busy(jobId) && !this.unindexed.has(jobId)) this.jobs.delete(jobId);
    }
  }

  /**
   * At open: the index's rows of the jobs the previous run (or an earlier one whose check did not
   * finish) wrote are corrected from their job.json, which holds what survived, and rows whose
   * job.json is missing are removed. Without an index yet, it is built from every job.json.
   * Returns the jobs that exist, for the final-event recovery.
   */
  private async checkPreviousRun(previous: number): Promise<string[]> {
    const built = this.index.meta('built') !== undefined;
    const jobIds = built ? this.index.touchedAfter(Number(this.index.meta('checked_run') ?? 0)) : await this.jobDirectories();
    const existing: string[] = [];
    for (let i = 0; i < jobIds.length; i += READ_CONCURRENCY) {
      const reads = await Promise.all(
        jobIds.slice(i, i + READ_CONCURRENCY).map(async (jobId) => {
          await removeTempFiles(this.jobDir(jobId));
          return { jobId, read: await readStoredJob(this.jobDir(jobId), jobId) };
        }),
      );
      const rows: JobIndexRow[] = [];
      for (const { jobId, read } of reads) {
        if (typeof read !== 'string') {
          rows.push(rowOf(read));
          existing.push(jobId);
          continue;
        }
        if (read === 'unreadable') this.logger.error({ job_id: jobId }, 'Ignoring an unreadable job.json');
        if (built) this.index.remove(jobId);
      }
      // Written as of the previous run: checked once, not again at the next start.
      this.index.upsertAll(rows, previous);
    }
    if (!built) {
      this.index.setMeta('built', 1);
      this.logger.info({ jobs: existing.length }, 'Built the job index from job.json files');
    }
    return existing;
  }

  /**
   * An index made before rows carried their active files has them at 0: the processing jobs' rows
   * are written again from their records, once (finished jobs have none, so 0 is right for them).
   */
  private async countActiveFilesOnce(): Promise<void> {
    if (this.index.meta('active_files_counted') !== undefined) return;
    for (const jobId of this.index.idsWithStatus('processing')) {
      const stored = await this.resident(jobId);
      if (stored) this.writeRow(stored);
    }
    this.recordMeta('active_files_counted', 1);
  }

  private async jobDirectories(): Promise<string[]> {
    try {
      return (await readdir(path.join(this.root, 'jobs'))).filter(isSafeSegment);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
  }
}

/** Job ids are single path segments, so they never contain the separator. */
function fileKey(jobId: string, fileId: string): string {
  return `${jobId}/${fileId}`;
}

function holds(file: JobFileRecord, condition: FileCondition | undefined): boolean {
  if (condition?.status && !condition.status.includes(file.status)) return false;
  if (condition?.generation !== undefined && condition.generation !== file.generation) return false;
  return true;
}

function snapshot(stored: StoredJob): JobWithFiles {
  return { job: structuredClone(stored.job), files: [...stored.files.values()].map((f) => structuredClone(f)) };
}

function rowOf(stored: StoredJob): JobIndexRow {
  const { job_id, owner, created_at, updated_at } = stored.job;
  const tally = tallyFiles([...stored.files.values()]);
  return { job_id, owner, created_at, updated_at, status: jobStateOfTally(tally), active_files: tally.unfinished };
}

/** A job's job.json, parsed; `missing` when there is none, `unreadable` when it cannot be used. */
async function readStoredJob(dir: string, jobId: string): Promise<StoredJob | 'missing' | 'unreadable'> {
  let raw: string;
  try {
    raw = await readFile(path.join(dir, 'job.json'), 'utf8');
  } catch (error) {
    if (isNotFound(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return 'missing';
    throw error;
  }
  return parseStoredJob(raw, jobId) ?? 'unreadable';
}

function parseStoredJob(raw: string, jobId: string): StoredJob | null {
  try {
    const data = JSON.parse(raw) as { version?: number; job?: JobRecord; files?: JobFileRecord[] };
    if (data.version !== FORMAT_VERSION || data.job?.job_id !== jobId || !Array.isArray(data.files)) return null;
    return { job: data.job, files: new Map(data.files.map((f) => [f.file_id, upgradeFileRecord(f)])) };
  } catch {
    return null;
  }
}

/** Temp files are leftovers of a write a crash interrupted; the real file is intact. */
async function removeTempFiles(dir: string): Promise<void> {
  await sweepFiles(dir, { before: Number.POSITIVE_INFINITY, matches: (name) => name.startsWith('.job.json.') && isTempName(name) });
}
