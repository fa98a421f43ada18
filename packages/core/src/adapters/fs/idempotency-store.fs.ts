import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { silentLogger, type Logger } from '../../logger.js';
import { sweepFiles } from '../../storage/sweep-files.js';
import {
  IDEMPOTENCY_TTL_MS,
  idempotencyRecordId,
  type ClaimOutcome,
  type IdempotencyClaim,
  type IdempotencyScope,
  type IdempotencyStore,
  type IdempotentAnswer,
} from '../../idempotency/idempotency-store.js';
import { isNotFound, prepareFileAtomic, syncDirectory } from './atomic-file.js';

export interface FsIdempotencyStoreOptions {
  /** DATA_DIR: records go to `<root>/idempotency/<sha256>.json`. */
  root: string;
  /** @default IDEMPOTENCY_TTL_MS (24 h) */
  ttlMs?: number;
  /** How often expired records are removed. @default one hour, or the TTL if shorter */
  sweepIntervalMs?: number;
  logger?: Logger;
}

interface StoredRecord extends IdempotentAnswer {
  fingerprint: string;
  /** ms since the epoch */
  expires_at: number;
}

const RECORD_NAME = /^[0-9a-f]{64}\.json$/;

/**
 * Embedded mode's keys: one process serves every request, so the keys in flight are a map in
 * memory (nothing to recover after a crash: an unanswered request stored nothing), and each answer
 * is one small fsynced file, written atomically and named by a hash, so it survives a restart.
 */
export class FsIdempotencyStore implements IdempotencyStore {
  private readonly dir: string;
  private readonly ttlMs: number;
  private readonly logger: Logger;
  private readonly inFlight = new Map<string, string>();
  private readonly sweeper: NodeJS.Timeout;

  private constructor(opts: FsIdempotencyStoreOptions) {
    this.dir = path.join(opts.root, 'idempotency');
    this.ttlMs = opts.ttlMs ?? IDEMPOTENCY_TTL_MS;
    this.logger = opts.logger ?? silentLogger;
    this.sweeper = setInterval(() => void this.sweep(), opts.sweepIntervalMs ?? Math.min(this.ttlMs, 60 * 60 * 1000));
    this.sweeper.unref();
  }

  /** Opens the store and removes the records that expired while the service was stopped. */
  static async open(opts: FsIdempotencyStoreOptions): Promise<FsIdempotencyStore> {
    const store = new FsIdempotencyStore(opts);
    await store.sweep();
    return store;
  }

  async claim(scope: IdempotencyScope, fingerprint: string): Promise<ClaimOutcome> {
    const id = idempotencyRecordId(scope);
    if (this.inFlight.has(id)) return { kind: 'in_use' };
    // Taken before the first await: a duplicate arriving meanwhile finds the key in use.
    const token = randomBytes(12).toString('hex');
    this.inFlight.set(id, token);
    let record: StoredRecord | null;
    try {
      record = await this.read(id);
    } catch (error) {
      this.inFlight.delete(id);
      throw error;
    }
    if (record === null) return { kind: 'claimed', claim: { id, token } };
    this.inFlight.delete(id);
    return record.fingerprint === fingerprint ? { kind: 'replay', answer: { status: record.status, body: record.body } } : { kind: 'mismatch' };
  }

  async complete(claim: IdempotencyClaim, fingerprint: string, answer: IdempotentAnswer): Promise<void> {
    if (this.inFlight.get(claim.id) !== claim.token) return;
    try {
      const record: StoredRecord = { fingerprint, status: answer.status, body: answer.body, expires_at: Date.now() + this.ttlMs };
      const file = this.fileOf(claim.id);
      // The temp file's write makes the directory when it is missing.
      const write = await prepareFileAtomic(file, JSON.stringify(record));
      await write.commit();
      await syncDirectory(this.dir);
    } finally {
      this.inFlight.delete(claim.id);
    }
  }

  async release(claim: IdempotencyClaim): Promise<void> {
    if (this.inFlight.get(claim.id) === claim.token) this.inFlight.delete(claim.id);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
  }

  /** Removes records older than the TTL (a record is written once, so its mtime is its answer's time). */
  async sweep(): Promise<number> {
    try {
      return (await sweepFiles(this.dir, { before: Date.now() - this.ttlMs, matches: (name) => RECORD_NAME.test(name) })).files;
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not remove expired idempotency records');
      return 0;
    }
  }

  private fileOf(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  private async read(id: string): Promise<StoredRecord | null> {
    let text: string;
    try {
      text = await readFile(this.fileOf(id), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const record = JSON.parse(text) as StoredRecord;
    if (record.expires_at > Date.now()) return record;
    await rm(this.fileOf(id), { force: true });
    return null;
  }
}
