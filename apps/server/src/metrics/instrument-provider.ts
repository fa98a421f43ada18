import { isAppError, type ModelProvider } from '@image2model/core';
import type { Metrics } from './metrics.js';

type ErrorKind = 'transient' | 'permanent' | 'internal' | 'aborted';

function classify(error: unknown, signal: AbortSignal): ErrorKind {
  if (signal.aborted) return 'aborted';
  if (!isAppError(error)) return 'internal';
  return error.retryable ? 'transient' : 'permanent';
}

const OUTCOME: Record<ErrorKind, string> = { transient: 'retried', permanent: 'failed', internal: 'failed', aborted: 'interrupted' };

/**
 * The provider with metrics: each generation's duration and outcome, and each failure by kind.
 * A Proxy, so everything else the provider has (now or later) passes through untouched.
 */
export function instrumentProvider(provider: ModelProvider, metrics: Metrics): ModelProvider {
  const generate: ModelProvider['generate'] = async (request, hooks) => {
    const labels = { provider: provider.name };
    const started = process.hrtime.bigint();
    const observe = (outcome: string) => metrics.generationDuration.observe({ ...labels, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    try {
      const result = await provider.generate(request, hooks);
      observe('completed');
      return result;
    } catch (error) {
      const kind = classify(error, request.signal);
      metrics.providerErrors.inc({ ...labels, kind, code: isAppError(error) ? error.code : 'UNEXPECTED' });
      observe(OUTCOME[kind]);
      throw error;
    }
  };
  return new Proxy(provider, {
    get(target, property) {
      if (property === 'generate') return generate;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
