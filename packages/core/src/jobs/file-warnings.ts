import type { JobFileRecord } from './job.js';

/** How the local generator made a model's depth; FAL's models (and unfinished files) have none. */
export const MODEL_SHAPES = ['revolved', 'inflated', 'card', 'hull'] as const;
export type ModelShape = (typeof MODEL_SHAPES)[number];

/**
 * Something the user should know about how a model was made, e.g. `BACKGROUND_NOT_SEPARATED`
 * (a flat card of the whole photo), `LOW_SEGMENTATION_CONFIDENCE`, `SYMMETRY_ASSUMED`.
 */
export interface FileWarning {
  code: string;
  message: string;
}

/**
 * The code a warning stored as a plain string (records written before warnings had codes) reads
 * back with: its text is kept as the message.
 */
export const LEGACY_WARNING_CODE = 'GENERATOR_NOTICE';

function toWarning(value: unknown): FileWarning {
  if (typeof value === 'string') return { code: LEGACY_WARNING_CODE, message: value };
  const { code, message } = (value ?? {}) as Partial<FileWarning>;
  return { code: typeof code === 'string' ? code : LEGACY_WARNING_CODE, message: typeof message === 'string' ? message : String(message ?? '') };
}

/**
 * A file record as a store read it, in today's form: string warnings become coded objects and a
 * missing `shape` (records before it) is null. Both store adapters read every record through this.
 */
export function upgradeFileRecord(stored: JobFileRecord): JobFileRecord {
  const raw = stored as Omit<JobFileRecord, 'warnings' | 'shape'> & { warnings?: unknown; shape?: unknown };
  const warnings = Array.isArray(raw.warnings) ? raw.warnings.map(toWarning) : [];
  const shape = MODEL_SHAPES.includes(raw.shape as ModelShape) ? (raw.shape as ModelShape) : null;
  return { ...raw, warnings, shape };
}
