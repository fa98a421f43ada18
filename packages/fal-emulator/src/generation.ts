import type { ScenarioPlan } from './scenarios.js';
import type { TripoModel, ValidationDetail } from './tripo-model.js';

/** A log line as FAL's queue reports it. */
export interface FalLog {
  message: string;
  level: 'INFO';
  source: 'USER';
  timestamp: string;
}

export type GenerationOutcome =
  | { kind: 'model'; files: { model_path: string; preview_path: string | null }; model: TripoModel }
  | { kind: 'invalid'; detail: ValidationDetail[] }
  /** A cancel stopped it before its model was kept. */
  | { kind: 'cancelled' };

/** The phase a cancel found a request in, and when: what decides how it ends. */
export interface Cancellation {
  at: number;
  phase: 'IN_QUEUE' | 'IN_PROGRESS';
}

export interface QueueUrls {
  response_url: string;
  status_url: string;
  cancel_url: string;
}

export type FalStatus =
  | ({ status: 'IN_QUEUE'; request_id: string; queue_position: number; logs: null } & QueueUrls)
  | ({ status: 'IN_PROGRESS'; request_id: string; logs: FalLog[] | null } & QueueUrls)
  | ({ status: 'COMPLETED'; request_id: string; logs: FalLog[] | null; metrics: { inference_time: number | null } } & QueueUrls);

const CANCELLED: GenerationOutcome = { kind: 'cancelled' };

/** Progress lines at fractions of the processing time, with the numbers a real model's logs carry. */
const LOG_SCRIPT: readonly [number, string][] = [
  [0, 'Starting Tripo v2.5 image-to-3d'],
  [0.1, 'Preprocessing image: 10%'],
  [0.3, 'Generating geometry: 30%'],
  [0.55, 'Generating geometry: 55%'],
  [0.75, 'Texturing: 75%'],
  [0.9, 'Exporting model: 90%'],
];

export interface GenerationInit {
  id: string;
  endpoint: string;
  input: Record<string, unknown>;
  plan: ScenarioPlan;
  createdAt: number;
  queueMs: number;
  processingMs: number;
  /** Requests ahead of this one when it was submitted. */
  initialPosition: number;
  urls: QueueUrls;
  /**
   * Produces the outcome: starts when the request leaves the queue, as a runner would pick it up.
   * `stopped` turns true when a cancel stops the request: a model made after that is not kept.
   */
  work: (stopped: () => boolean) => Promise<GenerationOutcome>;
}

/**
 * One accepted queue request. Its state is a function of time (queue, then processing, then done
 * once its model exists), so it keeps moving while nobody polls, and after a client restarts.
 * A cancel removes a queued request and stops a running one (unless its scenario is
 * `completes-despite-cancel`): either is COMPLETED at once, without a model or a result.
 */
export class EmulatedGeneration {
  readonly id: string;
  readonly endpoint: string;
  readonly input: Record<string, unknown>;
  readonly plan: ScenarioPlan;
  readonly createdAt: number;
  readonly urls: QueueUrls;
  readonly settledPromise: Promise<GenerationOutcome>;
  outcome: GenerationOutcome | null = null;
  /** The first cancel that found it queued or running. */
  cancellation: Cancellation | null = null;
  private readonly queueMs: number;
  private readonly processingMs: number;
  private readonly initialPosition: number;
  private settledAt: number | null = null;
  private leaveQueue = (): void => undefined;

  constructor(init: GenerationInit) {
    this.id = init.id;
    this.endpoint = init.endpoint;
    this.input = init.input;
    this.plan = init.plan;
    this.createdAt = init.createdAt;
    this.queueMs = init.queueMs;
    this.processingMs = init.processingMs;
    this.initialPosition = init.initialPosition;
    this.urls = init.urls;
    const started = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, init.queueMs);
      // A request removed from the queue settles now, not when it would have started.
      this.leaveQueue = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    const stopped = (): boolean => this.stopped;
    this.settledPromise = started.then(() => (this.stopped ? CANCELLED : init.work(stopped))).then((outcome) => {
      this.outcome = this.stopped ? CANCELLED : outcome;
      this.settledAt = Date.now();
      return this.outcome;
    });
  }

  /** Cancelled for good: removed from the queue, or stopped while running by a runner that obeys. */
  get stopped(): boolean {
    return this.cancellation !== null && (this.cancellation.phase === 'IN_QUEUE' || this.plan.name !== 'completes-despite-cancel');
  }

  /** FAL's cancel at `now`: returns the phase it found the request in (COMPLETED: nothing to stop). */
  cancel(now: number): FalStatus['status'] {
    const phase = this.phase(now);
    if (phase !== 'COMPLETED' && this.cancellation === null) {
      this.cancellation = { at: now, phase };
      if (phase === 'IN_QUEUE') this.leaveQueue();
    }
    return phase;
  }

  private get startsAt(): number {
    return this.createdAt + this.queueMs;
  }

  private get endsAt(): number {
    return Math.max(this.startsAt + this.processingMs, this.settledAt ?? Number.POSITIVE_INFINITY);
  }

  phase(now: number): FalStatus['status'] {
    if (this.stopped) return 'COMPLETED';
    if (now < this.startsAt) return 'IN_QUEUE';
    if (this.outcome === null || now < this.endsAt) return 'IN_PROGRESS';
    return 'COMPLETED';
  }

  /** The status body at `now`; `logs` only when asked for (FAL's `?logs=1`). */
  status(now: number, withLogs: boolean): FalStatus {
    const base = { request_id: this.id, ...this.urls };
    switch (this.phase(now)) {
      case 'IN_QUEUE': {
        const left = (this.startsAt - now) / Math.max(1, this.queueMs);
        return { status: 'IN_QUEUE', queue_position: Math.max(0, Math.ceil(this.initialPosition * left)), logs: null, ...base };
      }
      case 'IN_PROGRESS':
        return { status: 'IN_PROGRESS', logs: withLogs ? this.logs(now) : null, ...base };
      case 'COMPLETED':
        return {
          status: 'COMPLETED',
          logs: withLogs ? this.logs(now) : null,
          metrics: { inference_time: this.stopped ? null : (this.endsAt - this.startsAt) / 1000 },
          ...base,
        };
    }
  }

  /** Every log line up to `now` (FAL's status answers carry all logs so far). */
  logs(now: number): FalLog[] {
    // A stopped request logged only what it did before the cancel.
    const until = this.stopped && this.cancellation ? Math.min(now, this.cancellation.at) : now;
    if (until < this.startsAt) return [];
    const at = (ms: number): string => new Date(ms).toISOString();
    const lines: FalLog[] = [];
    for (const [fraction, message] of LOG_SCRIPT) {
      const when = this.startsAt + fraction * this.processingMs;
      if (when <= until) lines.push({ message, level: 'INFO', source: 'USER', timestamp: at(when) });
    }
    if (!this.stopped && this.phase(now) === 'COMPLETED') lines.push({ message: 'Generation finished: 100%', level: 'INFO', source: 'USER', timestamp: at(this.endsAt) });
    return lines;
  }
}
