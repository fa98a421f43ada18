import { createRequire } from 'node:module';

/** The few OpenCV.js bindings the segmentation uses (the package's own types pull in a large type tree). */
export interface CvMat {
  readonly data: Uint8Array;
  readonly data64F: Float64Array;
  delete(): void;
}

export interface OpenCv {
  Mat: new (rows?: number, cols?: number, type?: number) => CvMat;
  Rect: new (x: number, y: number, width: number, height: number) => unknown;
  grabCut(image: CvMat, mask: CvMat, rect: unknown, backgroundModel: CvMat, foregroundModel: CvMat, iterations: number, mode: number): void;
  /** Seeds the thread's RNG, which GrabCut's k-means initialisation draws from. */
  setRNGSeed(seed: number): void;
  CV_8UC1: number;
  CV_8UC3: number;
  GC_INIT_WITH_MASK: number;
}

let runtime: Promise<OpenCv> | undefined;

type EmscriptenModule = OpenCv & { onRuntimeInitialized?: () => void; then?: unknown };

/**
 * OpenCV.js (WASM), loaded once per thread: compiling its 8 MB module takes about a second, so a
 * generator worker loads it while the pool warms up, not on its first busy photo.
 */
export function loadOpenCv(): Promise<OpenCv> {
  runtime ??= new Promise((resolve) => {
    const before = processListeners();
    const cv = createRequire(import.meta.url)('@techstark/opencv-js') as EmscriptenModule;
    // Emscripten's glue turns every later unhandled rejection or uncaught exception of this thread
    // into its own abort; the thread's owner decides those, so its handlers go.
    for (const [event, listeners] of processListeners()) {
      for (const listener of listeners) if (!before.get(event)!.includes(listener)) process.off(event, listener);
    }
    const ready = (): void => {
      // The module is a thenable that resolves to itself: awaiting it as is would never settle.
      delete cv.then;
      resolve(cv);
    };
    // The module object exists at once; its bindings appear when the WASM has been instantiated.
    if (typeof cv.Mat === 'function') ready();
    else cv.onRuntimeInitialized = ready;
  });
  return runtime;
}

function processListeners(): Map<'uncaughtException' | 'unhandledRejection', ((...args: unknown[]) => void)[]> {
  return new Map([
    ['uncaughtException', process.listeners('uncaughtException') as ((...args: unknown[]) => void)[]],
    ['unhandledRejection', process.listeners('unhandledRejection') as ((...args: unknown[]) => void)[]],
  ]);
}
