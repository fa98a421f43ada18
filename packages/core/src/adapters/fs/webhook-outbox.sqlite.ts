import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import {
  GONE_REASON,
  type NewWebhookDelivery,
  type WebhookAttemptOutcome,
  type WebhookClaim,
  type WebhookDelivery,
  type WebhookOutbox,
} from '../../webhooks/webhook-outbox.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  job_id TEXT NOT NULL,
  type TEXT NOT NULL,
  url TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  last_status INTEGER,
  last_error TEXT,
  last_duration_ms INTEGER,
  next_attempt_at TEXT,
  state TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  -- pending only: when it may be claimed (epoch ms): its next attempt, or the end of a claim's lease
  due_ms INTEGER,
  -- the token of the claim holding it, if any
  claim TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (due_ms) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_by_job ON deliveries (job_id, seq);
-- URLs that answered 410 Gone, per job
CREATE TABLE IF NOT EXISTS gone (job_id TEXT NOT NULL, url TEXT NOT NULL, PRIMARY KEY (job_id, url)) WITHOUT ROWID;
`;

const COLUMNS = 'id, job_id, type, url, body, attempts, last_status, last_error, last_duration_ms, next_attempt_at, state, created_at, updated_at';

export interface SqliteWebhookOutboxOptions {
  /** The database file, its own: `DATA_DIR/webhooks.sqlite`. */
  file: string;
}

/**
 * WebhookOutbox for embedded mode: one SQLite file. WAL with synchronous=NORMAL, like the job
 * index: an enqueue that returned is in the WAL file, so it survives kill -9 and a restart; a power
 * loss may lose the last ones written. Not FULL: better-sqlite3 is synchronous, so an fsync per
 * enqueue, claim and record stalls the event loop every generation shares (bench/cases/webhooks.ts
 * measured 0.33× the pipeline's throughput with FULL). Claims are transactions (BEGIN IMMEDIATE); the file belongs to one process
 * (embedded mode), which frees at open the claims a killed predecessor held. That process may open
 * it twice: the embedded server enqueues on its main thread and claims on its sender thread.
 * @example
 * const outbox = new SqliteWebhookOutbox({ file: join(dataDir, 'webhooks.sqlite') });
 */
export class SqliteWebhookOutbox implements WebhookOutbox {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(opts: SqliteWebhookOutboxOptions) {
    this.db = new Database(opts.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.statements = {
      insert: this.db.prepare(
        `INSERT INTO deliveries (id, job_id, type, url, body, attempts, last_error, next_attempt_at, state, created_at, updated_at, due_ms)
         VALUES (@id, @job_id, @type, @url, @body, 0, @last_error, @next_attempt_at, @state, @at, @at, @due_ms) ON CONFLICT (id) DO NOTHING`,
      ),
      isGone: this.db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM gone WHERE job_id = ? AND url = ?'),
      list: this.db.prepare<[string], WebhookDelivery>(`SELECT ${COLUMNS} FROM deliveries WHERE job_id = ? ORDER BY seq`),
      pendingCount: this.db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM deliveries WHERE job_id = ? AND state = 'pending'"),
      pendingTotal: this.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM deliveries WHERE state = 'pending'"),
      redeliver: this.db.prepare(
        `UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = @at, updated_at = @at, due_ms = @now, claim = NULL
         WHERE job_id = @job_id AND state = 'exhausted'`,
      ),
      forgetGone: this.db.prepare<[string]>('DELETE FROM gone WHERE job_id = ?'),
      deleteDeliveries: this.db.prepare<[string]>('DELETE FROM deliveries WHERE job_id = ?'),
      markGone: this.db.prepare(
        `UPDATE deliveries SET state = 'exhausted', last_error = @reason, next_attempt_at = NULL, updated_at = @at, due_ms = NULL, claim = NULL
         WHERE job_id = @job_id AND url = @url AND state = 'pending'`,
      ),
      addGone: this.db.prepare('INSERT INTO gone (job_id, url) VALUES (?, ?) ON CONFLICT DO NOTHING'),
      due: this.db.prepare<[number, number], WebhookDelivery & { seq: number }>(
        `SELECT seq, ${COLUMNS} FROM deliveries WHERE state = 'pending' AND due_ms <= ? ORDER BY due_ms, seq LIMIT ?`,
      ),
      hold: this.db.prepare<[string, number, number]>('UPDATE deliveries SET claim = ?, due_ms = ? WHERE seq = ?'),
      complete: this.db.prepare(
        `UPDATE deliveries SET attempts = attempts + 1, last_status = @status, last_error = @error, last_duration_ms = @duration_ms,
         state = @state, next_attempt_at = @next_attempt_at, due_ms = @due_ms, updated_at = @at, claim = NULL
         WHERE id = @id AND claim = @token AND state = 'pending'`,
      ),
      heldBy: this.db.prepare<[string, string], { next_attempt_at: string }>("SELECT next_attempt_at FROM deliveries WHERE id = ? AND claim = ? AND state = 'pending'"),
      release: this.db.prepare<[number, string]>('UPDATE deliveries SET due_ms = ?, claim = NULL WHERE id = ?'),
    };
    this.releaseClaimsOfEarlierRuns();
  }

  /**
   * Embedded mode has one process per file, so a claim found at open was held by a process that
   * died (kill -9) mid-attempt: its delivery is due again now, not when that claim's lease ends.
   */
  private releaseClaimsOfEarlierRuns(): void {
    const held = this.db.prepare<[], { id: string; next_attempt_at: string }>("SELECT id, next_attempt_at FROM deliveries WHERE claim IS NOT NULL AND state = 'pending'");
    this.db.transaction(() => {
      for (const { id, next_attempt_at } of held.all()) this.statements.release.run(Date.parse(next_attempt_at), id);
    })();
  }

  async enqueue(delivery: NewWebhookDelivery): Promise<boolean> {
    const now = new Date();
    const at = now.toISOString();
    const gone = this.statements.isGone.get(delivery.job_id, delivery.url) !== undefined;
    const { changes } = this.statements.insert.run({
      ...delivery,
      at,
      state: gone ? 'exhausted' : 'pending',
      last_error: gone ? GONE_REASON : null,
      next_attempt_at: gone ? null : at,
      due_ms: gone ? null : now.getTime(),
    });
    return changes === 1;
  }

  async listForJob(jobId: string): Promise<WebhookDelivery[]> {
    return this.statements.list.all(jobId);
  }

  async pendingCount(jobId: string): Promise<number> {
    return this.statements.pendingCount.get(jobId)?.n ?? 0;
  }

  async pendingTotal(): Promise<number> {
    return this.statements.pendingTotal.get()?.n ?? 0;
  }

  async redeliver(jobId: string): Promise<number> {
    const now = new Date();
    return this.db.transaction(() => {
      this.statements.forgetGone.run(jobId);
      return this.statements.redeliver.run({ job_id: jobId, at: now.toISOString(), now: now.getTime() }).changes;
    })();
  }

  async deleteForJob(jobId: string): Promise<number> {
    return this.db.transaction(() => {
      this.statements.forgetGone.run(jobId);
      return this.statements.deleteDeliveries.run(jobId).changes;
    })();
  }

  async markGone(jobId: string, url: string): Promise<number> {
    return this.db.transaction(() => {
      this.statements.addGone.run(jobId, url);
      return this.statements.markGone.run({ job_id: jobId, url, reason: GONE_REASON, at: new Date().toISOString() }).changes;
    })();
  }

  async claimDue({ limit, leaseMs }: { limit: number; leaseMs: number }): Promise<WebhookClaim[]> {
    return this.db.transaction(() => {
      const now = Date.now();
      return this.statements.due.all(now, limit).map(({ seq, ...delivery }) => {
        const token = randomUUID();
        this.statements.hold.run(token, now + leaseMs, seq);
        return { delivery, token };
      });
    }).immediate();
  }

  async complete(claim: WebhookClaim, outcome: WebhookAttemptOutcome): Promise<boolean> {
    const pending = outcome.next.state === 'pending' ? outcome.next.at : null;
    const { changes } = this.statements.complete.run({
      id: claim.delivery.id,
      token: claim.token,
      status: outcome.status,
      error: outcome.error,
      duration_ms: outcome.duration_ms,
      state: outcome.next.state,
      next_attempt_at: pending?.toISOString() ?? null,
      due_ms: pending?.getTime() ?? null,
      at: new Date().toISOString(),
    });
    return changes === 1;
  }

  async release(claim: WebhookClaim): Promise<void> {
    this.db.transaction(() => {
      const held = this.statements.heldBy.get(claim.delivery.id, claim.token);
      if (held) this.statements.release.run(Date.parse(held.next_attempt_at), claim.delivery.id);
    })();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
