/**
 * The print-readiness report of a completed model (GET /download/{job_id}/{file_id}/report):
 * computed by @image2model/formats on the model as STL and 3MF print it (welded, Z up, millimetres),
 * stored by core at the default size. Dependency-free: the formats workers import it.
 */
export interface PrintReport {
  /** No boundary edges: every edge has a face on both sides. */
  watertight: boolean;
  /** Edges with a face on one side only (the rims of holes). */
  boundary_edges: number;
  /** Every edge is shared by exactly two faces that run it in opposite directions (consistent winding). */
  manifold: boolean;
  /** Edges shared by three or more faces, or by two faces wound the same way. */
  non_manifold_edges: number;
  /** Connected pieces of surface (each prints as its own part unless they touch). */
  shells: number;
  /** Handles (through-holes) over all shells: 0 for a ball, 1 for a mug; null unless closed and manifold. */
  genus: number | null;
  /** The enclosed volume, overlapping shells counted once; null unless closed and manifold. */
  volume_mm3: number | null;
  surface_area_mm2: number;
  /** The print's bounding box: Z up, as the STL and 3MF are written. */
  bbox_mm: { x: number; y: number; z: number };
  /** Pairs of triangles that cut through each other (not neighbours); counted up to SELF_INTERSECTION_COUNT_LIMIT. */
  self_intersections: number;
  /** Triangles after the weld (what the STL and 3MF hold). */
  triangles: number;
  /** `printable` as is; `repairable` by a slicer's or mesh tool's repair (`verdict_reasons` say which); `not_printable`: `verdict_reasons` say why. */
  verdict: PrintStatus;
  /** Plain-language sentences: what is wrong and what to do, then notes (empty when printable with nothing to note). */
  verdict_reasons: string[];
}

/** The verdict and what it rests on, as the report carries them. */
export type PrintVerdict = Pick<PrintReport, 'verdict' | 'verdict_reasons'>;

export const PRINT_STATUSES = ['printable', 'repairable', 'not_printable'] as const;
export type PrintStatus = (typeof PRINT_STATUSES)[number];

/** Counting intersecting triangle pairs stops here: a model past it is badly broken anyway, and the count is "at least". */
export const SELF_INTERSECTION_COUNT_LIMIT = 10_000;
