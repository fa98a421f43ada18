import type { JobFile } from '../index.js';

type MadeHow = Pick<JobFile, 'shape' | 'warnings'>;

/** How the model was made, in a word or two: nothing for FAL's models and unfinished files. */
export function shapeNote(file: MadeHow): string {
  if (file.shape === 'card') return '(flat card)';
  return file.shape ? `(${file.shape})` : '';
}

/** The shape and warning codes a `completed` event carries, for the line that says a file is done. */
export function completedNote(file: MadeHow): string {
  const codes = file.warnings.map((warning) => warning.code).join(', ');
  return [shapeNote(file), codes && `warnings: ${codes}`].filter(Boolean).join(' ');
}

/** One indented line per warning, its code first, so a reader (or grep) finds why a model looks as it does. */
export function warningLines(file: MadeHow, indent = '        '): string[] {
  return file.warnings.map((warning) => `${indent}warning ${warning.code}: ${warning.message}`);
}

type Views = JobFile['views'];

/** `3 views (front, left, back)`: what a multiview file was made from, in a few words. */
export function describeViews(views: Views): string {
  const sides = Object.keys(views ?? {});
  return `${sides.length} view${sides.length === 1 ? '' : 's'} (${sides.join(', ')})`;
}

/** For a model made from several views: one indented line naming the photo of each side. */
export function viewsLines(file: { views?: Views }, indent = '        '): string[] {
  if (!file.views) return [];
  return [`${indent}views ${Object.entries(file.views).map(([side, name]) => `${side}: ${name}`).join(', ')}`];
}
