/** Reports stage progress as integers that never go back, and times each stage. */
export interface ProgressTracker {
  /** Ends the running stage (recording its time) and starts `stage` at `progress`. */
  start(stage: string, progress: number): void;
  /** Ends the last stage and reports 100. */
  finish(): void;
  timings: Record<string, number>;
}

export function createProgressTracker(onProgress: (progress: number, stage: string) => void): ProgressTracker {
  const timings: Record<string, number> = {};
  let reported = -1;
  let current: { stage: string; startedAt: number } | null = null;
  const report = (progress: number, stage: string): void => {
    const value = Math.max(reported, Math.min(100, Math.round(progress)));
    reported = value;
    onProgress(value, stage);
  };
  const endCurrent = (): void => {
    if (current) timings[current.stage] = Math.round((performance.now() - current.startedAt) * 10) / 10;
  };
  return {
    timings,
    start(stage, progress) {
      endCurrent();
      current = { stage, startedAt: performance.now() };
      report(progress, stage);
    },
    finish() {
      endCurrent();
      current = null;
      report(100, 'done');
    },
  };
}
