import type { ModelConverter } from '@image2model/core';

/** The model converter of an API process: its worker threads start with the first conversion, and end with the process. */
export interface ProcessConverter extends ModelConverter {
  close(): Promise<void>;
}

/**
 * @image2model/formats' worker pool, loaded and started on the first download in another format or print report
 * (most processes never convert: no threads, no WebAssembly, no cold-start cost for them).
 */
export function createProcessConverter(): ProcessConverter {
  let pool: Promise<import('@image2model/formats').ConverterPool> | null = null;
  const started = (): Promise<import('@image2model/formats').ConverterPool> => (pool ??= import('@image2model/formats').then(({ createConverterPool }) => createConverterPool()));
  return {
    async convert(glb, options) {
      return (await started()).convert(glb, options);
    },
    async report(glb, options) {
      return (await started()).report(glb, options);
    },
    async close() {
      await (await pool)?.close();
    },
  };
}
