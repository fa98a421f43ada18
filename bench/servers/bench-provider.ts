import { randomBytes } from 'node:crypto';
import type { GenerationHooks, GenerationRequest, GenerationResult, ModelProvider, ProviderHealth } from '@image2model/core';
import { nowMs, sleep } from '../lib/stats.js';
import { Gate } from './gate.js';

export interface BenchProviderOptions {
  /** Size of the GLB every generation returns (random bytes: the server never parses it). @default 2048 */
  modelBytes?: number;
}

/** Timed log events a held generation emits when released (the sse-fanout case). */
export interface EmitScript {
  count: number;
  intervalMs: number;
}

/** The message of a timed log event: its sequence number and the instant it was handed to the server. */
export function timedMessage(seq: number, at: number): string {
  return `bench seq=${seq} t=${at.toFixed(3)}`;
}

export function parseTimedMessage(message: string): { seq: number; at: number } | null {
  const match = /^bench seq=(\d+) t=([\d.]+)$/.exec(message);
  return match ? { seq: Number(match[1]), at: Number(match[2]) } : null;
}

/**
 * A bench-only ModelProvider: answers at once with a fixed model, so what is measured is the
 * service's own work (queue, store, events, storage) and not a generator. A gate can hold every
 * generation until the runner opens it (to queue work up, or to keep a job open while thousands
 * of subscribers connect); an emit script makes held generations publish timed log events first.
 */
export class BenchProvider implements ModelProvider {
  readonly name = 'local' as const;
  private readonly glb: Buffer;
  private readonly preview = randomBytes(512);
  private readonly gate = new Gate();
  private script: (EmitScript & { emitted: () => void }) | null = null;
  private minted = 0;
  generated = 0;

  constructor(opts: BenchProviderOptions = {}) {
    this.glb = randomBytes(opts.modelBytes ?? 2048);
  }

  mintTaskId(): string {
    return `task_bench_${++this.minted}`;
  }

  /** Generations waiting for `open()`. */
  get held(): number {
    return this.gate.held;
  }

  /** From now on generations wait until `open()`. */
  hold(): void {
    this.gate.hold();
  }

  /**
   * Lets held generations go. With a script, the first of them emits the script's events (and
   * nothing else) before it answers; resolves once they were all handed to the server.
   */
  async open(script: EmitScript | null = null): Promise<{ emitMs: number }> {
    const started = nowMs();
    let emitted = Promise.resolve();
    if (script) emitted = new Promise<void>((resolve) => (this.script = { ...script, emitted: resolve }));
    this.gate.open();
    await emitted;
    return { emitMs: nowMs() - started };
  }

  async generate(request: GenerationRequest, hooks: GenerationHooks): Promise<GenerationResult> {
    await this.gate.pass();
    request.signal.throwIfAborted();
    const script = this.script;
    this.script = null;
    if (script) {
      for (let seq = 0; seq < script.count; seq++) {
        if (seq > 0) await sleep(script.intervalMs);
        hooks.onLog(timedMessage(seq, nowMs()));
      }
      script.emitted();
      return { glb: this.glb, warnings: [], shape: null };
    }
    hooks.onProgress(50);
    hooks.onLog('Instant bench model');
    this.generated += 1;
    return { glb: this.glb, preview: this.preview, warnings: [], shape: null };
  }

  async health(): Promise<ProviderHealth> {
    return 'not_configured';
  }
}
