import type { PrintReport } from '@image2model/core/print-report';

import type { ModelMesh } from '../model-mesh.js';
import { toPrintFrame } from '../print-frame.js';
import { readModel } from '../read/read-model.js';
import { DEFAULT_WELD_TOLERANCE_METRES, weldByPosition, type WeldedMesh } from '../weld.js';
import { edgeTopology } from './edge-topology.js';
import { countSelfIntersections } from './self-intersections.js';
import { solidOf } from './solid.js';
import { round, verdictOf } from './verdict.js';

export interface ReportOptions {
  /** The model's height in the print, in millimetres; default: as STL and 3MF (DEFAULT_PRINT_MAX_SIDE_MM). */
  heightMm?: number;
}

/**
 * The print-readiness report of one GLB (on the calling thread; createConverterPool runs it on workers).
 *
 * @example
 * const report = await reportModel(glb, { heightMm: 80 });
 * if (report.verdict !== 'printable') console.log(report.verdict_reasons.join('\n'));
 */
export async function reportModel(glb: Uint8Array, options: ReportOptions = {}): Promise<PrintReport> {
  return printReport(await readModel(glb), options);
}

/**
 * Measures the model exactly as STL and 3MF print it: welded by position, Z up, in millimetres at
 * the size asked for. Edge counts and shells come from counting the welded triangles; genus and
 * volume from manifold-3d, handed the mesh only when it is closed and manifold; self-intersections
 * from three-mesh-bvh. Never throws for an open or non-manifold mesh: those get `null` where a
 * closed solid is needed, and a verdict saying why.
 */
export async function printReport(mesh: ModelMesh, options: ReportOptions = {}): Promise<PrintReport> {
  const print = toPrintFrame(weldByPosition(mesh, DEFAULT_WELD_TOLERANCE_METRES), options.heightMm);
  const topology = edgeTopology(print);
  const intersections = countSelfIntersections(print, topology.shellOf);
  const closed = topology.boundaryEdges === 0 && topology.nonManifoldEdges === 0 && print.indices.length > 0;
  const solid = closed ? await solidOf(print, { unite: intersections.betweenShells > 0 }) : null;
  const measured = {
    watertight: topology.boundaryEdges === 0,
    boundary_edges: topology.boundaryEdges,
    manifold: closed && solid !== null,
    non_manifold_edges: topology.nonManifoldEdges,
    shells: solid?.shells ?? topology.shells,
    genus: solid?.genus ?? null,
    volume_mm3: solid ? round(solid.volume, 3) : null,
    surface_area_mm2: round(solid?.unitedArea ?? surfaceArea(print), 3),
    bbox_mm: boundingBox(print),
    self_intersections: intersections.withinShells + intersections.betweenShells,
    triangles: print.indices.length / 3,
  };
  return { ...measured, ...verdictOf(measured, intersections) };
}

function surfaceArea({ positions, indices }: WeldedMesh): number {
  let area = 0;
  for (let t = 0; t + 2 < indices.length; t += 3) {
    const a = indices[t]! * 3, b = indices[t + 1]! * 3, c = indices[t + 2]! * 3;
    const ux = positions[b]! - positions[a]!, uy = positions[b + 1]! - positions[a + 1]!, uz = positions[b + 2]! - positions[a + 2]!;
    const vx = positions[c]! - positions[a]!, vy = positions[c + 1]! - positions[a + 1]!, vz = positions[c + 2]! - positions[a + 2]!;
    area += Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx) / 2;
  }
  return area;
}

/** Of the vertices the triangles use (a GLB may carry others). */
function boundingBox({ positions, indices }: WeldedMesh): PrintReport['bbox_mm'] {
  if (indices.length === 0) return { x: 0, y: 0, z: 0 };
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (const vertex of indices) {
    for (let axis = 0; axis < 3; axis++) {
      const value = positions[vertex * 3 + axis]!;
      if (value < min[axis]!) min[axis] = value;
      if (value > max[axis]!) max[axis] = value;
    }
  }
  return { x: round(max[0]! - min[0]!, 3), y: round(max[1]! - min[1]!, 3), z: round(max[2]! - min[2]!, 3) };
}
