import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { JobState } from '../../job-state.js';
import { createdAfterBound, createdBeforeBound, listOrderKey, lowestBound, mergeNewestFirst, positionOfListKey } from '../../jobs/job-list-order.js';
import type { FinishedJobPosition, FinishedJobQuery, JobCounts, JobListPosition, JobListQuery } from '../../jobs/job-store.js';

/** What the index knows of a job: enough to list, filter and expire it without reading job.json. */
export interface JobIndexRow {
  job_id: string;
  owner: string;
  created_at: string;
  updated_at: string;
  status: JobState;
  /** Its files that are pending or processing: what the owner's active-files limit sums. */
  active_files: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  job_id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  created_at TEXT NOT NULL,
  -- created_at|job_id: the list's order as one value (job-list-order.ts), compared as text
  list_key TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  status TEXT NOT NULL,
  -- pending + processing files (MAX_ACTIVE_FILES_PER_KEY sums them over an owner's processing jobs)
  active_files INTEGER NOT NULL DEFAULT 0,
  -- the store run (see run) that last wrote this row: what a start re-checks after that run
  run INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS jobs_by_owner ON jobs (owner, list_key);
CREATE INDEX IF NOT EXISTS jobs_by_owner_status ON jobs (owner, status, list_key);
CREATE INDEX IF NOT EXISTS jobs_finished ON jobs (updated_at, job_id) WHERE status <> 'processing';
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status);
CREATE INDEX IF NOT EXISTS jobs_by_run ON jobs (run);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
`;

/**
 * The embedded store's on-disk index of jobs (SQLite, one file in the data directory): the owner's
 * list, newest first, per status; finished jobs by last update (retention); processing jobs
 * (work to resume); counts. job.json stays the record of each job: every row can be rebuilt from
 * it. better-sqlite3 is synchronous, so a row is written in the same synchronous step as the
 * store's in-memory change, and no reader can see the one without the other.
 *
 * Durability: WAL with synchronous=NORMAL. A committed row survives a crash of the process
 * (kill -9) without any fsync of its own; a power loss may lose the last rows written, which the
 * store's start repairs from job.json (FsJobStore.open). Nothing here is fsynced per update.
 */
export class SqliteJobIndex {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.addActiveFilesColumn();
    const page = (withStatus: boolean) =>
      this.db.prepare<[Record<string, string | number>], { list_key: string }>(
        `SELECT list_key FROM jobs WHERE owner = @owner ${withStatus ? 'AND status = @status' : ''}
         AND list_key < @upper AND list_key > @lower ORDER BY list_key DESC LIMIT @limit`,
      );
    this.statements = {
      upsert: this.db.prepare(
        `INSERT INTO jobs (job_id, owner, created_at, list_key, updated_at, status, active_files, run)
         VALUES (@job_id, @owner, @created_at, @list_key, @updated_at, @status, @active_files, @run)
         ON CONFLICT (job_id) DO UPDATE SET updated_at = excluded.updated_at, status = excluded.status, active_files = excluded.active_files, run = excluded.run`,
      ),
      remove: this.db.prepare<[string]>('DELETE FROM jobs WHERE job_id = ?'),
      has: this.db.prepare<[string], { one: number }>('SELECT 1 AS one FROM jobs WHERE job_id = ?'),
      page: page(false),
      pageByStatus: page(true),
      finished: this.db.prepare<[{ before: string; after_updated: string; after_id: string; limit: number }], FinishedJobPosition>(
        `SELECT updated_at, job_id FROM jobs WHERE status <> 'processing' AND updated_at < @before
         AND (updated_at, job_id) > (@after_updated, @after_id) ORDER BY updated_at, job_id LIMIT @limit`,
      ),
      withStatus: this.db.prepare<[string], { job_id: string }>('SELECT job_id FROM jobs WHERE status = ?'),
      // Through jobs_by_owner_status: only the owner's processing jobs are read.
      activeFiles: this.db.prepare<[string], { n: number }>(`SELECT coalesce(sum(active_files), 0) AS n FROM jobs WHERE owner = ? AND status = 'processing'`),
      counts: this.db.prepare<[], { status: JobState; n: number }>('SELECT status, count(*) AS n FROM jobs GROUP BY status'),
      touchedAfter: this.db.prepare<[number], { job_id: string }>('SELECT job_id FROM jobs WHERE run > ?'),
      getMeta: this.db.prepare<[string], { value: Buffer | string | number }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: this.db.prepare<[string, Buffer | string | number]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
  }

  /**
   * An index made before the column gets it, at 0 for every row: right for finished jobs; the
   * store counts its processing jobs again at open (`activeFilesCounted`).
   */
  private addActiveFilesColumn(): void {
    const columns = this.db.prepare<[], { name: string }>('SELECT name FROM pragma_table_info(\'jobs\')').all();
    if (!columns.some((column) => column.name === 'active_files')) this.db.exec('ALTER TABLE jobs ADD COLUMN active_files INTEGER NOT NULL DEFAULT 0');
  }

  upsert(row: JobIndexRow, run: number): void {
    this.statements.upsert.run({ ...row, list_key: listOrderKey(row), run });
  }

  /** Many rows in one transaction (a migration, a repair at start). */
  upsertAll(rows: Iterable<JobIndexRow>, run: number): void {
    this.db.transaction(() => {
      for (const row of rows) this.upsert(row, run);
    })();
  }

  remove(jobId: string): void {
    this.statements.remove.run(jobId);
  }

  has(jobId: string): boolean {
    return this.statements.has.get(jobId) !== undefined;
  }

  /** One page per wanted status, each read from its own index range, merged (see JobListQuery). */
  listJobs(query: JobListQuery): JobListPosition[] {
    const upper = lowestBound(query.after && listOrderKey(query.after), query.created_before && createdBeforeBound(query.created_before)) ?? '\u{10FFFF}';
    const lower = query.created_after !== undefined ? createdAfterBound(query.created_after) : '';
    const params = { owner: query.owner, upper, lower, limit: query.limit };
    const keys =
      query.statuses.length === 0
        ? [this.statements.page.all(params)]
        : query.statuses.map((status) => this.statements.pageByStatus.all({ ...params, status }));
    return mergeNewestFirst(
      keys.map((rows) => rows.map(({ list_key }) => positionOfListKey(list_key))),
      query.limit,
    );
  }

  listFinished(query: FinishedJobQuery): FinishedJobPosition[] {
    return this.statements.finished.all({
      before: query.updated_before,
      after_updated: query.after?.updated_at ?? '',
      after_id: query.after?.job_id ?? '',
      limit: query.limit,
    });
  }

  idsWithStatus(status: JobState): string[] {
    return this.statements.withStatus.all(status).map((row) => row.job_id);
  }

  /** Pending + processing files of the owner's jobs. */
  activeFiles(owner: string): number {
    return this.statements.activeFiles.get(owner)?.n ?? 0;
  }

  counts(): JobCounts {
    const counts: JobCounts = { active: 0, completed: 0, failed: 0, partial: 0, cancelled: 0 };
    for (const { status, n } of this.statements.counts.all()) counts[status === 'processing' ? 'active' : status] += n;
    return counts;
  }

  /** Jobs whose row a run after `run` wrote. */
  touchedAfter(run: number): string[] {
    return this.statements.touchedAfter.all(run).map((row) => row.job_id);
  }

  meta(key: string): Buffer | string | number | undefined {
    return this.statements.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: Buffer | string | number): void {
    this.statements.setMeta.run(key, value);
  }

  /** The deployment's cursor key: made at the first call, then the same forever. */
  cursorKey(): Buffer {
    const stored = this.meta('cursor_key');
    if (Buffer.isBuffer(stored)) return stored;
    const key = randomBytes(32);
    this.setMeta('cursor_key', key);
    return key;
  }

  close(): void {
    this.db.close();
  }
}
