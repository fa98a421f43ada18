import { SELF_INTERSECTION_COUNT_LIMIT, type PrintReport, type PrintStatus, type PrintVerdict } from '@image2model/core/print-report';

import type { SelfIntersections } from './self-intersections.js';

/** A common nozzle: walls thinner than this do not print. */
const NOZZLE_MM = 0.4;
/** A model whose thinnest side is under this share of its longest is a flat sheet, not a solid. */
const FLAT_RATIO = 0.002;

/**
 * The plain-language verdict: `not_printable` for what no repair fixes (no thickness, smaller than a
 * nozzle), `repairable` for what a slicer's or mesh tool's repair fixes (holes, bad edges, faces
 * inward, surfaces through each other), else `printable`; every reason says what to do.
 */
export function verdictOf(report: Omit<PrintReport, keyof PrintVerdict>, intersections: SelfIntersections): PrintVerdict {
  const fatal: string[] = [];
  const fixable: string[] = [];
  const notes: string[] = [];
  const sides = [report.bbox_mm.x, report.bbox_mm.y, report.bbox_mm.z];
  const thinnest = Math.min(...sides), longest = Math.max(...sides);
  const repairTools = "your slicer's repair (PrusaSlicer: Fix by Netfabb; Bambu Studio and Cura repair on import) or Blender's 3D-Print Toolbox";

  if (report.triangles === 0) fatal.push('The model has no triangles with any area: there is nothing to print. Generate it again.');
  else if (thinnest <= longest * FLAT_RATIO) fatal.push('The model is flat (no thickness), so it has no inside to fill. Generate it again from a photo of a solid object, or give it thickness (Solidify in Blender).');
  else if (thinnest < NOZZLE_MM) fatal.push(`At this size its thinnest side is ${round(thinnest, 2)} mm, under a 0.4 mm nozzle. Ask for a larger print (height_mm).`);

  if (report.boundary_edges > 0) {
    fixable.push(`The surface is not closed: ${report.boundary_edges} open edges (holes), so a slicer cannot tell inside from outside and there is no volume. Close the holes with ${repairTools}.`);
  }
  if (report.non_manifold_edges > 0) {
    fixable.push(`${report.non_manifold_edges} edges are shared by more than two faces or by faces facing opposite ways (not manifold). Repair the mesh with ${repairTools}.`);
  }
  if (report.volume_mm3 !== null && report.volume_mm3 < 0) {
    fixable.push(`The faces point inward (the model is inside out). Flip the normals (Blender: Mesh › Normals › Recalculate Outside) or use ${repairTools}.`);
  }
  if (intersections.withinShells > 0) {
    fixable.push(`The surface passes through itself at ${countOf(intersections.withinShells)} pairs of triangles, which slicers may fill wrongly. Repair it with ${repairTools}.`);
  }
  if (intersections.betweenShells > 0) {
    fixable.push(`Separate parts overlap (${countOf(intersections.betweenShells)} pairs of triangles cross); the volume counts the overlap once. Merge them into one solid (a boolean union: Blender's Union modifier, or your slicer's repair) for a clean print file.`);
  } else if (report.shells > 1 && fatal.length === 0) {
    notes.push(`The model is ${report.shells} separate shells: separate parts (each prints on its own; place or glue them) or a hollow inside a part.`);
  }

  const verdict: PrintStatus = fatal.length > 0 ? 'not_printable' : fixable.length > 0 ? 'repairable' : 'printable';
  return { verdict, verdict_reasons: [...fatal, ...fixable, ...notes] };
}

function countOf(count: number): string {
  return count >= SELF_INTERSECTION_COUNT_LIMIT ? `at least ${SELF_INTERSECTION_COUNT_LIMIT}` : String(count);
}

export function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
