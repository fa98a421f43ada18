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

/** One pino JSON line as a `/logs` entry; null for anything that is not one. */
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
    message: record.msg ?? '',
    correlation_id: record.correlation_id ?? null,
  };
}

/** True when an entry passes the query's `level` (a minimum) and `since`. */
export function matchesLogQuery(entry: LogEntry, { level, since }: Pick<LogQuery, 'level' | 'since'>): boolean {
  const minRank = level ? LEVEL_RANK[level] : 0;
  const sinceMs = since ? Date.parse(since) : Number.NEGATIVE_INFINITY;
  return LEVEL_RANK[entry.level] >= minRank && Date.parse(entry.timestamp) >= sinceMs;
}

/**
 * The newest structured log lines, kept in memory for `GET /logs`. It is a pino destination: it
 * receives the same JSON lines as stdout, so what /logs shows is exactly what the service logged.
 * Every request logs, so writing is O(1): raw lines in a ring, parsed only when /logs asks.
 */
export class LogBuffer implements LogSink {
  private readonly lines: string[] = [];
  /** Where the next line goes once the ring is full. */
  private next = 0;

  constructor(private readonly capacity = 10_000) {}

  write(line: string): void {
    if (this.lines.length < this.capacity) {
      this.lines.push(line);
      return;
    }
    this.lines[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
  }

  query(query: LogQuery): LogEntry[] {
    const oldestFirst = [...this.lines.slice(this.next), ...this.lines.slice(0, this.next)];
    const entries = oldestFirst.map(toLogEntry).filter((e): e is LogEntry => e !== null && matchesLogQuery(e, query));
    return entries.slice(-query.lines);
  }
}
