/** What the emulator does with a generation, chosen per submit (see `FalEmulator.queueScenarios`). */
export const SCENARIO_NAMES = [
  'success',
  '401',
  '422',
  '429-then-success',
  '500-then-success',
  'hang',
  'connection-reset',
  'reset-after-accept',
  'model-404',
  'not-glb',
  'completes-despite-cancel',
] as const;

export type FalScenarioName = (typeof SCENARIO_NAMES)[number];

/** The request a fault applies to: the queue submit, status polls, the result, or the model file's download. */
export type FalPhase = 'submit' | 'status' | 'result' | 'download';

export interface FalScenarioSpec {
  name: FalScenarioName;
  /**
   * Where the fault happens. Defaults: `422` on the result (where FAL reports a model's validation
   * errors), every other fault on the submit. `model-404` and `not-glb` shape the result itself;
   * `completes-despite-cancel` makes a running request ignore a cancel (FAL's runner may finish
   * anyway), so it still completes with its model.
   */
  on?: FalPhase;
  /**
   * How many times a transient fault (429, 500, hang, connection reset, reset after accept) repeats
   * before that phase succeeds; `Infinity` never succeeds. @default 1
   */
  times?: number;
}

/** A scenario by name (its defaults) or with options. */
export type FalScenario = FalScenarioName | FalScenarioSpec;

export type FaultKind = 'none' | 'unauthorized' | 'unprocessable' | 'rate-limited' | 'server-error' | 'hang' | 'reset' | 'reset-after-accept';

/** One generation's script: what to break, where, and how often before it works. */
export class ScenarioPlan {
  readonly name: FalScenarioName;
  readonly on: FalPhase;
  readonly fault: FaultKind;
  /** Transient faults left in this plan's phase (permanent faults ignore it). */
  remaining: number;

  constructor(scenario: FalScenario) {
    const spec = typeof scenario === 'string' ? { name: scenario } : scenario;
    if (!SCENARIO_NAMES.includes(spec.name)) throw new Error(`Unknown FAL emulator scenario: ${String(spec.name)} (known: ${SCENARIO_NAMES.join(', ')})`);
    this.name = spec.name;
    this.fault = faultOf(spec.name);
    this.on = spec.on ?? (spec.name === '422' ? 'result' : 'submit');
    if (this.name === 'reset-after-accept' && this.on !== 'submit') throw new Error('reset-after-accept applies to the submit only');
    const times = spec.times ?? 1;
    if (!(times >= 0)) throw new Error(`times must be a number >= 0, got ${times}`);
    this.remaining = times;
  }

  get permanent(): boolean {
    return this.fault === 'unauthorized' || this.fault === 'unprocessable';
  }

  /** The fault to apply to a request of `phase` now (consuming one transient fault), or 'none'. */
  take(phase: FalPhase): FaultKind {
    if (this.fault === 'none' || phase !== this.on) return 'none';
    if (this.permanent) return this.fault;
    if (this.remaining <= 0) return 'none';
    this.remaining -= 1;
    return this.fault;
  }
}

function faultOf(name: FalScenarioName): FaultKind {
  switch (name) {
    case '401':
      return 'unauthorized';
    case '422':
      return 'unprocessable';
    case '429-then-success':
      return 'rate-limited';
    case '500-then-success':
      return 'server-error';
    case 'hang':
      return 'hang';
    case 'connection-reset':
      return 'reset';
    case 'reset-after-accept':
      return 'reset-after-accept';
    case 'success':
    case 'model-404':
    case 'not-glb':
    case 'completes-despite-cancel':
      return 'none';
  }
}
