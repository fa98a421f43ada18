import type { LogEntry, LogLevel, LogQuery } from '@image2model/api';

const LEVEL_RANK: Record<LogLevel, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3 };

/** Where pino's JSON lines go besides stdout: the store `GET /logs` reads. */
export interface LogSink {
  write(line: string): void;
}

/** pino's numeric levels in the spec's words (pino's `warn` is shown as WARNING). */
function levelName(pinoLevel: number): LogLevel {
  if (pinoLevel >= 50) return 'ERROR';
  if (pinoLevel >= 40) return 'WARNING';
  if (pinoLevel >= 30) return 'INFO';
  return 'DEBUG';
}

/** The longest message a `/logs` entry keeps; longer ones (a client's text in an error) are cut. */
export const MAX_LOG_MESSAGE_CHARS = 2000;

/**
 * `text` cut to `max` characters, marked `...` when it was cut (three ASCII dots, not `…`: one
 * character outside Latin-1 makes V8 store the whole log line at two bytes a character).
 */
export function cutText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}

/** One pino JSON line as a `/logs` entry (its message cut to MAX_LOG_MESSAGE_CHARS); null for anything that is not one. */
export function toLogEntry(line: string): LogEntry | null {
  let record: { time?: number; level?: number; msg?: string; correlation_id?: string };
  try {
    record = JSON.parse(line) as typeof record;
  } catch {
    return null;
  }
  return {
    timestamp: new Date(record.time ?? Date.now()).toISOString(),
    level: levelName(record.level ?? 30),
    message: cutText(String(record.msg ?? ''), MAX_LOG_MESSAGE_CHARS),
    correlation_id: typeof record.correlation_id === 'string' ? cutText(record.correlation_id, 128) : null,
  };
}

/** What the ring keeps of a line too long to keep whole: the fields `/logs` shows, in pino's names. */
function shortLine(line: string): string | null {
  const entry = toLogEntry(line);
  if (!entry) return null;
  const level = { DEBUG: 20, INFO: 30, WARNING: 40, ERROR: 50 }[entry.level];
  return JSON.stringify({ level, time: Date.parse(entry.timestamp), msg: entry.message, ...(entry.correlation_id ? { correlation_id: entry.correlation_id } : {}) });
}

/** True when an entry passes the query's `level` (a minimum) and `since`. */
export function matchesLogQuery(entry: LogEntry, { level, since }: Pick<LogQuery, 'level' | 'since'>): boolean {
  const minRank = level ? LEVEL_RANK[level] : 0;
  const sinceMs = since ? Date.parse(since) : Number.NEGATIVE_INFINITY;
  return LEVEL_RANK[entry.level] >= minRank && Date.parse(entry.timestamp) >= sinceMs;
}

export interface LogBufferLimits {
  /** Lines kept at most. @default 10_000 */
  lines?: number;
  /** Characters kept at most, over every line (about bytes: log lines are mostly ASCII). @default 8 MiB */
  chars?: number;
}

/** A line longer than this is kept as its `/logs` fields only (message cut), not as pino wrote it. */
const MAX_KEPT_LINE_CHARS = 4096;

/**
 * The newest structured log lines, kept in memory for `GET /logs`. It is a pino destination: it
 * receives the same JSON lines as stdout, so what /logs shows is exactly what the service logged.
 * Every request logs, so writing is O(1) (amortised): raw lines in a queue, parsed only when /logs
 * asks. It is bounded by lines and by size, so long lines cannot make it hold hundreds of MB.
 */
export class LogBuffer implements LogSink {
  private lines: string[] = [];
  /** Index of the oldest line still kept; the lines before it are dropped and compacted away later. */
  private head = 0;
  private chars = 0;
  private readonly maxLines: number;
  private readonly maxChars: number;

  constructor(limits: LogBufferLimits = {}) {
    this.maxLines = limits.lines ?? 10_000;
    this.maxChars = limits.chars ?? 8 * 1024 * 1024;
  }

  write(line: string): void {
    const kept = line.length > MAX_KEPT_LINE_CHARS ? shortLine(line) : line;
    if (kept === null) return;
    this.lines.push(kept);
    this.chars += kept.length;
    while (this.lines.length - this.head > this.maxLines || (this.chars > this.maxChars && this.lines.length - this.head > 1)) {
      this.chars -= (this.lines[this.head] as string).length;
      this.lines[this.head] = '';
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
    }
  }

  query(query: LogQuery): LogEntry[] {
    const entries = this.lines
      .slice(this.head)
      .map(toLogEntry)
      .filter((e): e is LogEntry => e !== null && matchesLogQuery(e, query));
    return entries.slice(-query.lines);
  }
}
