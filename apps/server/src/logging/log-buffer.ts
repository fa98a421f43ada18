import type { LogEntry, LogLevel, LogQuery } from '@image2model/api';

const LEVEL_RANK: Record<LogLevel, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3 };

/** pino's numeric levels in the spec's words (pino's `warn` is shown as WARNING). */
function levelName(pinoLevel: number): LogLevel {
  if (pinoLevel >= 50) return 'ERROR';
  if (pinoLevel >= 40) return 'WARNING';
  if (pinoLevel >= 30) return 'INFO';
  return 'DEBUG';
}

/**
 * The newest structured log lines, kept in memory for `GET /logs`. It is a pino destination: it
 * receives the same JSON lines as stdout, so what /logs shows is exactly what the service logged.
 */
export class LogBuffer {
  private readonly entries: LogEntry[] = [];

  constructor(private readonly capacity = 10_000) {}

  write(line: string): void {
    let record: { time?: number; level?: number; msg?: string; correlation_id?: string };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      return;
    }
    this.entries.push({
      timestamp: new Date(record.time ?? Date.now()).toISOString(),
      level: levelName(record.level ?? 30),
      message: record.msg ?? '',
      correlation_id: record.correlation_id ?? null,
    });
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  query({ lines, level, since }: LogQuery): LogEntry[] {
    const minRank = level ? LEVEL_RANK[level] : 0;
    const sinceMs = since ? Date.parse(since) : Number.NEGATIVE_INFINITY;
    const matching = this.entries.filter((e) => LEVEL_RANK[e.level] >= minRank && Date.parse(e.timestamp) >= sinceMs);
    return matching.slice(-lines);
  }
}
