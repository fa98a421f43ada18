import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { deriveJobState } from '../../job-state.js';
import type { JobFileRecord, JobRecord, JobWithFiles } from '../../jobs/job.js';
import type { FileCondition, FilePatch, JobCounts, JobStore, RestartPatch, UpdateOptions, UpdateResult } from '../../jobs/job-store.js';
import { silentLogger, type Logger } from '../../logger.js';
import { isNotFound, isSafeSegment, isTempName, prepareFileAtomic } from './atomic-file.js';
import { sweepFiles } from '../../storage/sweep-files.js';
import { FileWriter, type PreparedWrite } from './file-writer.js';
import { appendMissingFinalEvents } from '../../jobs/final-event-recovery.js';
import type { JobEvents } from '../../jobs/job-events.js';
import { FsJobEvents } from './job-events.fs.js';

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
}

interface StoredJob {
  job: JobRecord;
  files: Map<string, JobFileRecord>;
}

const FORMAT_VERSION = 1;

/**
 * JobStore for embedded mode: the working set lives in Maps (single-threaded, so every method's
 * read-modify-write is atomic) and each job is persisted as one JSON file, replaced atomically, so
 * a SIGKILL at any moment leaves either the old or the new state on disk.
 *
 * @example
 * const store = await FsJobStore.open({ root: dataDir });
 */
export class FsJobStore implements JobStore {
  private readonly jobs = new Map<string, StoredJob>();
  /** Per file (`fileKey`): durable changes applied in memory and still being written (or undone). */
  private readonly unwritten = new Map<string, Set<Promise<void>>>();
  private readonly writer: FileWriter;
  private readonly root: string;
  private readonly logger: Logger;
  private readonly now: () => Date;

  private constructor(opts: FsJobStoreOptions) {
    this.root = path.resolve(opts.root);
    this.logger = opts.logger ?? silentLogger;
    this.now = opts.now ?? (() => new Date());
    this.writer = new FileWriter((jobId) => this.prepareSnapshot(jobId));
  }

  /**
   * Opens the store, loads every persisted job, and appends to each job's event log the final
   * events a crash lost (see appendMissingFinalEvents): it runs here because nothing can generate
   * before the store is open, so a final mark without its event can only be a lost one.
   */
  static async open(opts: FsJobStoreOptions): Promise<FsJobStore> {
    const store = new FsJobStore(opts);
    await store.load();
    const events = opts.events ?? new FsJobEvents({ root: store.root, logger: store.logger });
    try {
      await appendMissingFinalEvents({ store, events, logger: store.logger });
    } finally {
      if (!opts.events) await events.close();
    }
    return store;
  }

  async create(job: JobRecord, files: JobFileRecord[]): Promise<void> {
    if (!isSafeSegment(job.job_id)) throw new Error(`Invalid job id: ${job.job_id}`);
    if (this.jobs.has(job.job_id)) throw new Error(`Job ${job.job_id} already exists`);
    const stored: StoredJob = {
      job: structuredClone(job),
      files: new Map(files.map((f) => [f.file_id, structuredClone(f)])),
    };
    this.jobs.set(job.job_id, stored);
    try {
      await this.writer.persist(job.job_id);
    } catch (error) {
      // Never created: a job whose job.json did not fit must not linger in memory as an active job.
      if (this.jobs.get(job.job_id) === stored) this.jobs.delete(job.job_id);
      throw error;
    }
  }

  async get(jobId: string): Promise<JobWithFiles | null> {
    const stored = this.jobs.get(jobId);
    return stored ? snapshot(stored) : null;
  }

  async getFile(jobId: string, fileId: string): Promise<JobFileRecord | null> {
    const file = this.jobs.get(jobId)?.files.get(fileId);
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

  async list(): Promise<JobRecord[]> {
    return [...this.jobs.values()].map((s) => structuredClone(s.job));
  }

  async listUnfinished(): Promise<{ job_id: string; file: JobFileRecord }[]> {
    const unfinished: { job_id: string; file: JobFileRecord }[] = [];
    for (const [jobId, stored] of this.jobs) {
      for (const file of stored.files.values()) {
        if (file.status === 'pending' || file.status === 'processing') unfinished.push({ job_id: jobId, file: structuredClone(file) });
      }
    }
    return unfinished;
  }

  async counts(): Promise<JobCounts> {
    const counts: JobCounts = { active: 0, completed: 0, failed: 0, partial: 0, cancelled: 0 };
    for (const stored of this.jobs.values()) {
      const status = deriveJobState([...stored.files.values()]);
      counts[status === 'processing' ? 'active' : status] += 1;
    }
    return counts;
  }

  async delete(jobId: string): Promise<void> {
    if (!this.jobs.delete(jobId)) return;
    await this.writer.settled(jobId); // a write still in flight must not resurrect the file
    const dir = this.jobDir(jobId);
    await rm(path.join(dir, 'job.json'), { force: true });
    await rmdir(dir).catch(() => undefined); // only when nothing else (uploads, events) lives there
  }

  async close(): Promise<void> {
    await this.writer.settleAll();
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
    const files = this.jobs.get(jobId)?.files;
    const current = files?.get(applied.file_id);
    if (files && current && JSON.stringify(current) === JSON.stringify(applied)) files.set(applied.file_id, previous);
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

  private async load(): Promise<void> {
    const jobsDir = path.join(this.root, 'jobs');
    let entries: string[];
    try {
      entries = await readdir(jobsDir);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    for (const jobId of entries) {
      if (!isSafeSegment(jobId)) continue;
      const dir = path.join(jobsDir, jobId);
      await removeTempFiles(dir);
      let raw: string;
      try {
        raw = await readFile(path.join(dir, 'job.json'), 'utf8');
      } catch (error) {
        if (isNotFound(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
        throw error;
      }
      const parsed = parseStoredJob(raw, jobId);
      if (!parsed) {
        this.logger.error({ job_id: jobId }, 'Ignoring an unreadable job.json');
        continue;
      }
      this.jobs.set(jobId, parsed);
    }
    this.logger.info({ jobs: this.jobs.size }, 'Job store loaded');
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

function parseStoredJob(raw: string, jobId: string): StoredJob | null {
  try {
    const data = JSON.parse(raw) as { version?: number; job?: JobRecord; files?: JobFileRecord[] };
    if (data.version !== FORMAT_VERSION || data.job?.job_id !== jobId || !Array.isArray(data.files)) return null;
    return { job: data.job, files: new Map(data.files.map((f) => [f.file_id, f])) };
  } catch {
    return null;
  }
}

/** Temp files are leftovers of a write a crash interrupted; the real file is intact. */
async function removeTempFiles(dir: string): Promise<void> {
  await sweepFiles(dir, { before: Number.POSITIVE_INFINITY, matches: (name) => name.startsWith('.job.json.') && isTempName(name) });
}
