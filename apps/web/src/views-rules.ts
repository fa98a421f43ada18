import type { MultiviewSources, ViewName } from '@image2model/client';

/** Each drop zone's label, in the order the page shows them (the server's field order). */
export const VIEW_LABELS: Record<ViewName, string> = { front: 'Front (required)', left: 'Left', back: 'Back', right: 'Right' };

/** A photo chosen for one side: its name, and why it cannot be uploaded (or null). */
export interface ChosenView {
  name: string;
  problem: string | null;
}

/**
 * Whether the chosen views make an upload (the server's rules: the front, and a left or right view
 * for depth, every photo usable), and what the page says about them.
 */
export function viewsReadiness(chosen: Partial<Record<ViewName, ChosenView>>): { ready: boolean; summary: string } {
  const sides = (Object.keys(VIEW_LABELS) as ViewName[]).filter((view) => chosen[view] !== undefined);
  if (sides.length === 0) return { ready: false, summary: '' };
  const refused = sides.filter((view) => chosen[view]?.problem);
  if (refused.length > 0) {
    return { ready: false, summary: `The ${refused.join(' and ')} photo${refused.length === 1 ? '' : 's'} cannot be used: remove ${refused.length === 1 ? 'it' : 'them'} or choose another.` };
  }
  if (!chosen.front) return { ready: false, summary: 'Add the front view: the model is made facing it.' };
  if (!chosen.left && !chosen.right) return { ready: false, summary: 'Add a left or right view: a side view is what gives the model its depth.' };
  return { ready: true, summary: `${sides.length} views ready (${sides.join(', ')}): they make one model.` };
}

/** The chosen photos as the client uploads them, or null while they lack the front or a side view. */
export function multiviewSources(files: Partial<Record<ViewName, File>>): (MultiviewSources & { front: File }) | null {
  const { front, left, back, right } = files;
  if (!front) return null;
  if (left) return { front, left, back, right };
  if (right) return { front, right, back };
  return null;
}

/** "Made from 3 views: front mug-front.jpg, left mug-left.jpg, back mug-back.jpg", for a file's card. */
export function describeViews(views: Partial<Record<ViewName, string>>): string {
  const entries = Object.entries(views);
  return `Made from ${entries.length} views: ${entries.map(([view, name]) => `${view} ${name}`).join(', ')}`;
}
