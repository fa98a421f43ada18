import type { HullGrid } from './hull-field.js';
import { halfWidth, pixelX, pixelY, type PlacedView } from './placed-view.js';
import { OPPOSITE_VIEW } from './view-cameras.js';

/** What only a set of views can warn of: they disagree, or the model had to come from the front alone. */
export type MultiviewWarningCode = 'VIEWS_DISAGREE' | 'SIDE_VIEW_NOT_SEPARATED';

export interface ViewsWarning {
  code: 'VIEWS_DISAGREE';
  message: string;
}

/**
 * Opposite views show the same outline mirrored: once both are scaled to the same height, their
 * widths may differ by at most this ratio (15 %) before the views are said to disagree.
 */
export const MAX_OPPOSITE_WIDTH_RATIO = 1.15;
/**
 * The hull is what every view allows; seen from each view it should fill that view's silhouette.
 * Below this share (90 %) of a silhouette, the other views cut away what this one shows: the
 * heights or outlines disagree (a view cropped, another object in one of them, a different object).
 */
export const MIN_EXPLAINED_SHARE = 0.9;

/**
 * Says when the views cannot all be of one object as framed: opposite silhouettes of different
 * proportions, or a silhouette the carved hull leaves partly unexplained. Only real photos are
 * judged; a stand-in for a missing view agrees with its source by construction.
 */
export function checkViewAgreement(views: readonly PlacedView[], grid: HullGrid, field: Float32Array): ViewsWarning[] {
  const photos = views.filter((view) => view.source === view.name);
  const reasons: string[] = [];
  for (const view of photos) {
    const opposite = photos.find((other) => other.name === OPPOSITE_VIEW[view.name]);
    if (!opposite || view.name === 'back' || view.name === 'right') continue;
    const ratio = Math.max(halfWidth(view), halfWidth(opposite)) / Math.min(halfWidth(view), halfWidth(opposite));
    if (ratio > MAX_OPPOSITE_WIDTH_RATIO) {
      reasons.push(`the ${view.name} and ${opposite.name} outlines differ in width by ${percent(ratio - 1)} at the same height`);
    }
  }
  const projections = { x: projectField(grid, field, 'x'), z: projectField(grid, field, 'z') };
  for (const view of photos) {
    const share = explainedShare(view, grid, projections[view.axis]);
    if (share < MIN_EXPLAINED_SHARE) reasons.push(`the other views leave ${percent(1 - share)} of the ${view.name} outline out`);
  }
  if (reasons.length === 0) return [];
  return [{ code: 'VIEWS_DISAGREE', message: `The views do not agree (${reasons.join('; ')}): check that every photo shows the whole object, upright, from its side` }];
}

/** Whether any node along the other horizontal axis is inside the hull: [row * count + node]. */
function projectField(grid: HullGrid, field: Float32Array, axis: 'x' | 'z'): Uint8Array {
  const count = axis === 'x' ? grid.nx : grid.nz;
  const seen = new Uint8Array(grid.ny * count);
  for (let j = 0; j < grid.ny; j++) {
    for (let k = 0; k < grid.nz; k++) {
      for (let i = 0; i < grid.nx; i++) {
        if (field[i + grid.nx * (k + grid.nz * j)]! > 0) seen[j * count + (axis === 'x' ? i : k)] = 1;
      }
    }
  }
  return seen;
}

/** Of the grid nodes where the view sees object, the share where the hull shows from that side too. */
function explainedShare(view: PlacedView, grid: HullGrid, projection: Uint8Array): number {
  const { width, height } = view.image;
  const count = view.axis === 'x' ? grid.nx : grid.nz;
  const origin = view.axis === 'x' ? grid.x0 : grid.z0;
  let shown = 0, explained = 0;
  for (let j = 0; j < grid.ny; j++) {
    const row = Math.floor(pixelY(view, grid.y0 + j * grid.spacing));
    if (row < 0 || row >= height) continue;
    for (let n = 0; n < count; n++) {
      const column = Math.floor(pixelX(view, origin + n * grid.spacing));
      if (column < 0 || column >= width || view.mask[row * width + column] === 0) continue;
      shown++;
      explained += projection[j * count + n]!;
    }
  }
  return shown === 0 ? 1 : explained / shown;
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}
