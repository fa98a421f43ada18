import type { FileState } from './batch-state.js';

export interface ModelNotice {
  code: string;
  /** A few words on the file's row, beside "Ready". */
  label: string;
  /** The server's sentence: what happened and what to do about it. */
  message: string;
  /** `warn`: the model is not what the photo shows (a card, a lens); `info`: a guess worth knowing. */
  tone: 'warn' | 'info';
}

const LABELS: Record<string, Pick<ModelNotice, 'label' | 'tone'>> = {
  BACKGROUND_NOT_SEPARATED: { label: 'Flat card — background not separated', tone: 'warn' },
  LOW_SEGMENTATION_CONFIDENCE: { label: 'Flat card — object not surely separated', tone: 'warn' },
  LOW_POLY_FALLBACK: { label: 'Low-poly — face limit too small', tone: 'warn' },
  SYMMETRY_ASSUMED: { label: 'Round — back mirrors the front', tone: 'info' },
};

/** The badges a completed file shows for its warnings (none before it completes). */
export function modelNotices(file: Pick<FileState, 'status' | 'warnings'>): ModelNotice[] {
  if (file.status !== 'completed') return [];
  return file.warnings.map(({ code, message }) => ({ code, message, ...(LABELS[code] ?? { label: 'With a warning', tone: 'warn' as const }) }));
}
