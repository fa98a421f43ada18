import type { GenerationHooks, GenerationRequest, GenerationResult, ModelProvider, ProviderHealth } from '@image2model/core';
import { Gate } from './gate.js';

/**
 * A real provider (the local generator) behind a gate, so the pipeline cases can queue work
 * behind held slots and time the real thing from the release.
 */
export class HeldProvider implements ModelProvider {
  readonly name: ModelProvider['name'];
  readonly gate = new Gate();

  constructor(private readonly inner: ModelProvider) {
    this.name = inner.name;
    if (inner.mintTaskId) this.mintTaskId = inner.mintTaskId.bind(inner);
  }

  mintTaskId?: () => string;

  async generate(request: GenerationRequest, hooks: GenerationHooks): Promise<GenerationResult> {
    await this.gate.pass();
    request.signal.throwIfAborted();
    return this.inner.generate(request, hooks);
  }

  async warmUp(): Promise<void> {
    await this.inner.warmUp?.();
  }

  health(): Promise<ProviderHealth> {
    return this.inner.health();
  }

  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
