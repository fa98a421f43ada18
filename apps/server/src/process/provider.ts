import { availableParallelism } from 'node:os';
import { FalProvider, LocalProvider, type FalProviderOptions, type ModelProvider } from '@image2model/core';
import { MAX_IMAGE_PIXELS } from '@image2model/core/limits';
import type { Env } from '../env.js';
import { instrumentProvider } from '../metrics/instrument-provider.js';
import type { Metrics } from '../metrics/metrics.js';

/** FAL's rendered image (WebP or JPEG) as the PNG our preview route serves. */
async function toPng(image: Buffer): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  return sharp(image, { limitInputPixels: MAX_IMAGE_PIXELS }).png().toBuffer();
}

/**
 * Chooses the model provider from configuration: FAL's Tripo3D when `FAL_KEY` is set (through
 * `FAL_BASE_URL` when that is set too, e.g. the FAL emulator), else the local generator.
 * `fal` overrides the FAL provider's tuning (tests use short backoffs and polls).
 */
export async function createProvider(env: Env, fal: Partial<FalProviderOptions> = {}): Promise<ModelProvider> {
  if (env.FAL_KEY) {
    return new FalProvider({ apiKey: env.FAL_KEY, baseUrl: env.FAL_BASE_URL, convertPreview: toPng, ...fal });
  }
  // Loaded only when used, so a FAL-only deployment never starts the generator's worker threads.
  const { createGeneratorPool } = await import('@image2model/mesh');
  return new LocalProvider({ generator: createGeneratorPool() });
}

/** The configured provider (or a test's or bench's), counted in the process's metrics. */
export async function createInstrumentedProvider(env: Env, metrics: Metrics, override?: ModelProvider): Promise<ModelProvider> {
  return instrumentProvider(override ?? (await createProvider(env)), metrics);
}

/**
 * How long one generation may run before its file fails: FAL's own follow-up gives up after an
 * hour, so its limit sits beyond that; the local generator takes seconds at most.
 */
export function generationTimeoutMs(env: Pick<Env, 'GENERATION_TIMEOUT_MS'>, provider: Pick<ModelProvider, 'name'>): number {
  return env.GENERATION_TIMEOUT_MS ?? (provider.name === 'fal' ? 70 * 60_000 : 10 * 60_000);
}

/**
 * Files a process generates at once when WORKER_CONCURRENCY is unset. A FAL slot spends minutes
 * waiting on FAL's queue, not computing, so 8 keep a worker busy at little cost (each holds at
 * most one downloaded model at the end). The local generator computes on its pool of one thread
 * per core but one: one slot per thread plus one, whose file's I/O (storing the model, events)
 * overlaps the others' generation; any more would only queue at the pool, holding files that
 * another worker process could be generating.
 */
export function defaultConcurrency(provider: Pick<ModelProvider, 'name'>): number {
  return provider.name === 'fal' ? 8 : Math.max(2, availableParallelism());
}
