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
  VIEWS_DISAGREE: { label: 'Views disagree — check the photos', tone: 'warn' },
  SIDE_VIEW_NOT_SEPARATED: { label: 'Front only — side view not separated', tone: 'warn' },
};

/** A model made from several views says SYMMETRY_ASSUMED when it mirrored a side nobody photographed. */
const MULTIVIEW_LABELS: Record<string, Pick<ModelNotice, 'label' | 'tone'>> = {
  SYMMETRY_ASSUMED: { label: 'Mirrored — a side not photographed', tone: 'info' },
};

/** The badges a completed file shows for its warnings (none before it completes). */
export function modelNotices(file: Pick<FileState, 'status' | 'warnings' | 'views'>): ModelNotice[] {
  if (file.status !== 'completed') return [];
  const label = (code: string) => (file.views ? MULTIVIEW_LABELS[code] : undefined) ?? LABELS[code] ?? { label: 'With a warning', tone: 'warn' as const };
  return file.warnings.map(({ code, message }) => ({ code, message, ...label(code) }));
}
