import { LocalProvider, type ModelProvider } from '@image2model/core';
import type { Env } from './env.js';

/** Chooses the model provider from configuration. */
export async function createProvider(_env: Env): Promise<ModelProvider> {
  // Loaded only when used, so a FAL-only deployment never starts the generator's worker threads.
  const { createGeneratorPool } = await import('@image2model/mesh');
  return new LocalProvider({ generator: createGeneratorPool() });
}
