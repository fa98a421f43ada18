import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createBarsView, createLinesView } from './progress.js';

/** A terminal that records what is drawn on it. */
function fakeTerminal(isTTY: boolean) {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        text += chunk.toString();
        callback();
      },
    }),
    { isTTY, columns: 120 },
  );
  // cli-progress draws by moving the cursor: strip the escape codes, keep the text.
  // eslint-disable-next-line no-control-regex -- ESC starts the escape codes this strips
  const plain = () => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
  return { stream, plain };
}

const files = [
  { file_id: 'file_001', filename: 'chair.png' },
  { file_id: 'file_002', filename: 'table.jpg' },
];

describe('progress views', () => {
  it('draws one bar per file on a terminal and moves each with its own events', () => {
    const terminal = fakeTerminal(true);
    const view = createBarsView(terminal.stream);
    view.start(files);
    view.progress('file_001', 40);
    view.failed('file_002', 'PROCESSING_ERROR: Unreadable photo');
    view.stop();
    const lines = terminal.plain().split(/\r?\n|\r/).filter((line) => line.includes('|'));
    expect(lines.some((line) => /\b40% \| chair\.png +generating/.test(line))).toBe(true);
    expect(lines.some((line) => /\b100% \| table\.jpg +failed: PROCESSING_ERROR: Unreadable photo/.test(line))).toBe(true);
    expect(lines.some((line) => /\b100% \| chair\.png/.test(line))).toBe(false);
  });

  it('writes one line per finished file when output is not a terminal', () => {
    const log = fakeTerminal(false);
    const view = createLinesView(log.stream);
    view.start(files);
    view.progress('file_001', 40);
    view.completed('file_001');
    view.saved('file_001', '/out/chair.glb');
    view.failed('file_002', 'PROCESSING_ERROR: Unreadable photo');
    expect(log.plain()).toBe('chair.png: generated\nchair.png: saved /out/chair.glb\ntable.jpg: failed: PROCESSING_ERROR: Unreadable photo\n');
  });
});
