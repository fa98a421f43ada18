import type { ScenarioPlan } from './scenarios.js';
import type { TripoModel, ValidationDetail } from './tripo-model.js';

/** A log line as FAL's queue reports it. */
export interface FalLog {
  message: string;
  level: 'INFO';
  source: 'USER';
  timestamp: string;
}

export type GenerationOutcome = { kind: 'model'; files: { model_path: string; preview_path: string | null }; model: TripoModel } | { kind: 'invalid'; detail: ValidationDetail[] };

export interface QueueUrls {
  response_url: string;
  status_url: string;
  cancel_url: string;
}

export type FalStatus =
  | ({ status: 'IN_QUEUE'; request_id: string; queue_position: number; logs: null } & QueueUrls)
  | ({ status: 'IN_PROGRESS'; request_id: string; logs: FalLog[] | null } & QueueUrls)
  | ({ status: 'COMPLETED'; request_id: string; logs: FalLog[] | null; metrics: { inference_time: number | null } } & QueueUrls);

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
  /** Produces the outcome: starts when the request leaves the queue, as a runner would pick it up. */
  work: () => Promise<GenerationOutcome>;
}

/**
 * One accepted queue request. Its state is a function of time (queue, then processing, then done
 * once its model exists), so it keeps moving while nobody polls, and after a client restarts.
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
  cancelled = false;
  private readonly queueMs: number;
  private readonly processingMs: number;
  private readonly initialPosition: number;
  private settledAt: number | null = null;

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
    const started = new Promise<void>((resolve) => setTimeout(resolve, init.queueMs));
    const cancelled: GenerationOutcome = { kind: 'invalid', detail: [{ loc: ['body'], msg: 'Request was cancelled', type: 'cancelled' }] };
    this.settledPromise = started.then(() => (this.cancelled ? cancelled : init.work())).then((outcome) => {
      this.outcome = outcome;
      this.settledAt = Date.now();
      return outcome;
    });
  }

  private get startsAt(): number {
    return this.createdAt + this.queueMs;
  }

  private get endsAt(): number {
    return Math.max(this.startsAt + this.processingMs, this.settledAt ?? Number.POSITIVE_INFINITY);
  }

  phase(now: number): FalStatus['status'] {
    if (this.cancelled) return 'COMPLETED';
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
          metrics: { inference_time: this.cancelled ? null : (this.endsAt - this.startsAt) / 1000 },
          ...base,
        };
    }
  }

  /** Every log line up to `now` (FAL's status answers carry all logs so far). */
  logs(now: number): FalLog[] {
    if (this.cancelled || now < this.startsAt) return [];
    const at = (ms: number): string => new Date(ms).toISOString();
    const lines: FalLog[] = [];
    for (const [fraction, message] of LOG_SCRIPT) {
      const when = this.startsAt + fraction * this.processingMs;
      if (when <= now) lines.push({ message, level: 'INFO', source: 'USER', timestamp: at(when) });
    }
    if (this.phase(now) === 'COMPLETED') lines.push({ message: 'Generation finished: 100%', level: 'INFO', source: 'USER', timestamp: at(this.endsAt) });
    return lines;
  }
}
