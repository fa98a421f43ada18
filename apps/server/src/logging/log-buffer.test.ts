import { describe, expect, it } from 'vitest';
import { LogBuffer } from './log-buffer.js';

const line = (msg: string, level = 30, time = 1_700_000_000_000) => JSON.stringify({ level, time, msg, correlation_id: `req_${msg}` });

describe('LogBuffer', () => {
  it('keeps the newest lines, oldest first, once it has wrapped around', () => {
    const buffer = new LogBuffer(3);
    for (const msg of ['a', 'b', 'c', 'd', 'e']) buffer.write(line(msg));
    expect(buffer.query({ lines: 10 }).map((e) => e.message)).toEqual(['c', 'd', 'e']);
    expect(buffer.query({ lines: 2 }).map((e) => e.message)).toEqual(['d', 'e']);
  });

  it('filters by minimum level and since, and skips lines that are not JSON', () => {
    const buffer = new LogBuffer(10);
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
});
