import type { GenerationHooks, GenerationRequest, GenerationResult, ModelProvider, ProviderHealth } from '@image2model/core';

/**
 * The real local generator (real GLBs the viewer can draw) behind a gate: `hold()` keeps new
 * calls waiting until `release()`, `failNext(error)` fails the next call. FakeModelProvider does
 * the same with fake bytes, which a real GLTFLoader would reject.
 */
export class GatedProvider implements ModelProvider {
  readonly name: 'local' | 'fal';
  private gate: { promise: Promise<void>; open(): void } | null = null;
  private readonly failures: Error[] = [];
  calls = 0;

  constructor(private readonly inner: ModelProvider) {
    this.name = inner.name;
    if (inner.mintTaskId) this.mintTaskId = () => inner.mintTaskId?.() ?? '';
  }

  mintTaskId?: () => string;

  hold(): void {
    if (this.gate) return;
    let open = (): void => undefined;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.gate = { promise, open };
  }

  release(): void {
    this.gate?.open();
    this.gate = null;
  }

  failNext(error: Error): void {
    this.failures.push(error);
  }

  async generate(request: GenerationRequest, hooks: GenerationHooks): Promise<GenerationResult> {
    this.calls += 1;
    if (this.gate) {
      hooks.onLog('Held back by the test');
      await this.gate.promise;
    }
    const failure = this.failures.shift();
    if (failure) throw failure;
    return this.inner.generate(request, hooks);
  }

  health(): Promise<ProviderHealth> {
    return this.inner.health();
  }

  async close(): Promise<void> {
    this.release();
    await this.inner.close?.();
  }
}
