import { describe, expect, it } from 'vitest';
import { LogBuffer, MAX_LOG_MESSAGE_CHARS } from './log-buffer.js';

const line = (msg: string, level = 30, time = 1_700_000_000_000) => JSON.stringify({ level, time, msg, correlation_id: `req_${msg}` });

describe('LogBuffer', () => {
  it('keeps the newest lines, oldest first, once it has wrapped around', () => {
    const buffer = new LogBuffer({ lines: 3 });
    for (const msg of ['a', 'b', 'c', 'd', 'e']) buffer.write(line(msg));
    expect(buffer.query({ lines: 10 }).map((e) => e.message)).toEqual(['c', 'd', 'e']);
    expect(buffer.query({ lines: 2 }).map((e) => e.message)).toEqual(['d', 'e']);
  });

  it('filters by minimum level and since, and skips lines that are not JSON', () => {
    const buffer = new LogBuffer({ lines: 10 });
    buffer.write(line('debug', 20, 1_000));
    buffer.write('not json');
    buffer.write(line('warn', 40, 2_000));
    buffer.write(line('error', 50, 3_000));
    expect(buffer.query({ lines: 10, level: 'WARNING' }).map((e) => [e.message, e.level])).toEqual([
      ['warn', 'WARNING'],
      ['error', 'ERROR'],
    ]);
    expect(buffer.query({ lines: 10, since: new Date(2_500).toISOString() }).map((e) => e.message)).toEqual(['error']);
    expect(buffer.query({ lines: 10 })[0]).toEqual({ timestamp: new Date(1_000).toISOString(), level: 'DEBUG', message: 'debug', correlation_id: 'req_debug' });
  });

  it('keeps at most its size in characters, dropping the oldest lines', () => {
    const buffer = new LogBuffer({ lines: 1000, chars: 1000 });
    for (let i = 0; i < 100; i++) buffer.write(line(`${i}`.padStart(150, '-')));
    const kept = buffer.query({ lines: 1000 });
    // Each line is about 370 characters (message and correlation id): two fit in 1,000.
    expect(kept).toHaveLength(2);
    expect(kept.at(-1)?.message).toBe('99'.padStart(150, '-'));
  });

  it('keeps a line too long to keep whole as its fields, with the message cut', () => {
    const buffer = new LogBuffer();
    buffer.write(JSON.stringify({ level: 20, time: 5_000, msg: `GET /${'x'.repeat(16_000)} 404`, path: 'y'.repeat(16_000), correlation_id: 'req_1' }));
    const [entry] = buffer.query({ lines: 10 });
    expect(entry?.message).toHaveLength(MAX_LOG_MESSAGE_CHARS + 3);
    expect(entry).toMatchObject({ timestamp: new Date(5_000).toISOString(), level: 'DEBUG', correlation_id: 'req_1' });
    expect(JSON.stringify(buffer).length).toBeLessThan(5_000);
  });
});
