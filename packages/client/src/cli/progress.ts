import { MultiBar, Presets, type SingleBar } from 'cli-progress';

export interface FileLine {
  file_id: string;
  filename: string;
}

/** What `generate` shows while a job runs: bars on a terminal, lines in a log, nothing with --json. */
export interface ProgressView {
  start(files: readonly FileLine[]): void;
  progress(fileId: string, percent: number): void;
  /** `note`: how the model was made, when the user should know (its shape, its warnings' codes). */
  completed(fileId: string, note?: string): void;
  failed(fileId: string, reason: string): void;
  saved(fileId: string, path: string): void;
  /** A message that must not tear the bars apart. */
  log(message: string): void;
  stop(): void;
}

type Stream = NodeJS.WritableStream & { isTTY?: boolean };

/** One live bar per file, redrawn in place (cli-progress's MultiBar). */
export function createBarsView(stream: Stream): ProgressView {
  const multibar = new MultiBar(
    {
      stream,
      format: ' {bar} {percentage}% | {name} {state}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
      barsize: 30,
      fps: 10,
    },
    Presets.shades_classic,
  );
  const bars = new Map<string, SingleBar>();
  const width = (files: readonly FileLine[]) => Math.min(40, Math.max(...files.map((f) => f.filename.length)));
  let nameWidth = 0;
  const label = (name: string) => (name.length > nameWidth ? `${name.slice(0, nameWidth - 1)}…` : name.padEnd(nameWidth));
  return {
    start(files) {
      nameWidth = width(files);
      for (const file of files) {
        bars.set(file.file_id, multibar.create(100, 0, { name: label(file.filename), state: 'queued' }));
      }
    },
    progress: (fileId, percent) => bars.get(fileId)?.update(percent, { state: 'generating' }),
    completed: (fileId, note) => bars.get(fileId)?.update(100, { state: note ? `done ${note}` : 'done' }),
    failed: (fileId, reason) => bars.get(fileId)?.update(100, { state: `failed: ${reason}` }),
    // The path is in the summary; the bar only says the file is on disk.
    saved: (fileId) => bars.get(fileId)?.update(100, { state: 'saved' }),
    log: (message) => multibar.log(`${message}\n`),
    stop: () => multibar.stop(),
  };
}

/** For logs and pipes: one line when a file ends, none per progress tick. */
export function createLinesView(stream: Stream): ProgressView {
  const names = new Map<string, string>();
  const write = (line: string) => stream.write(`${line}\n`);
  const name = (fileId: string) => names.get(fileId) ?? fileId;
  return {
    start(files) {
      for (const file of files) names.set(file.file_id, file.filename);
    },
    progress: () => undefined,
    completed: (fileId, note) => write(`${name(fileId)}: generated${note ? ` ${note}` : ''}`),
    failed: (fileId, reason) => write(`${name(fileId)}: failed: ${reason}`),
    saved: (fileId, path) => write(`${name(fileId)}: saved ${path}`),
    log: write,
    stop: () => undefined,
  };
}

export function createSilentView(): ProgressView {
  const nothing = () => undefined;
  return { start: nothing, progress: nothing, completed: nothing, failed: nothing, saved: nothing, log: nothing, stop: nothing };
}
