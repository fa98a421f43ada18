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
  private readonly running = new Set<Promise<unknown>>();
  calls = 0;

  /**
   * `completesDespiteCancel`: a held call, once released, generates its model even when its file
   * was cancelled meanwhile (as FAL may finish a request it was asked to cancel), so a test sees
   * the server discard a late result; otherwise the inner provider is told of the cancel.
   */
  constructor(
    private readonly inner: ModelProvider,
    private readonly opts: { completesDespiteCancel?: boolean } = {},
  ) {
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

  /**
   * Resolves once no call is running: a held call does not listen to its signal while it waits,
   * so after a cancel and `release()` this is when its late answer has reached the server.
   */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  generate(request: GenerationRequest, hooks: GenerationHooks): Promise<GenerationResult> {
    const call = this.run(request, hooks);
    this.running.add(call);
    const forget = () => this.running.delete(call);
    call.then(forget, forget);
    return call;
  }

  private async run(request: GenerationRequest, hooks: GenerationHooks): Promise<GenerationResult> {
    this.calls += 1;
    let held = false;
    if (this.gate) {
      hooks.onLog('Held back by the test');
      await this.gate.promise;
      held = true;
    }
    const failure = this.failures.shift();
    if (failure) throw failure;
    if (held && this.opts.completesDespiteCancel) return this.inner.generate({ ...request, signal: new AbortController().signal }, hooks);
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
