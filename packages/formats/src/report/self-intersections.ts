import { BufferAttribute, BufferGeometry, Line3, Matrix4, Plane, Vector3 } from 'three';
import { ExtendedTriangle, MeshBVH } from 'three-mesh-bvh';

import { SELF_INTERSECTION_COUNT_LIMIT } from '@image2model/core/print-report';

import type { WeldedMesh } from '../weld.js';

export interface SelfIntersections {
  /** Intersecting pairs of triangles from the same shell (the surface passes through itself). */
  withinShells: number;
  /** Intersecting pairs from two shells (separate parts overlap, or touch face to face). */
  betweenShells: number;
}

/**
 * Counts the pairs of triangles that cut through each other, with three-mesh-bvh: the BVH is cast
 * against itself, so only triangles in overlapping leaf boxes are ever paired, then their own
 * boxes, then Möller's exact test (ExtendedTriangle). Counted: pairs that cross along a segment.
 * Not counted: neighbours (sharing a vertex, they meet by construction), pairs touching at one
 * point, and coplanar pairs (lying in one plane they touch rather than cut through, and the
 * library's coplanar test answers true for disjoint triangles of one flat panel, as the local
 * generator's mug has). The work grows with the triangle count times the
 * triangles near each (about n log n for a model, ~1 s at 200k triangles: BENCHMARKS.md), and
 * counting stops at SELF_INTERSECTION_COUNT_LIMIT, so a badly broken model costs no more.
 */
export function countSelfIntersections(mesh: WeldedMesh, shellOf: Int32Array): SelfIntersections {
  const result: SelfIntersections = { withinShells: 0, betweenShells: 0 };
  if (mesh.indices.length < 6) return result;
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new BufferAttribute(mesh.positions, 3));
  // The BVH reorders the index it is given: a copy, read back below in its order.
  geometry.setIndex(new BufferAttribute(Uint32Array.from(mesh.indices), 1));
  const bvh = new MeshBVH(geometry);
  const index = geometry.index!.array as Uint32Array;
  const { positions } = mesh;
  const boxes = triangleBoxes(positions, index);
  const first = new ExtendedTriangle();
  const second = new ExtendedTriangle();
  const crossing = new Line3();
  const load = (triangle: ExtendedTriangle, t: number): void => {
    triangle.a.fromArray(positions, index[t * 3]! * 3);
    triangle.b.fromArray(positions, index[t * 3 + 1]! * 3);
    triangle.c.fromArray(positions, index[t * 3 + 2]! * 3);
    triangle.needsUpdate = true;
  };
  const sharesVertex = (i: number, j: number): boolean => {
    for (let a = 0; a < 3; a++) {
      const v = index[i * 3 + a]!;
      if (v === index[j * 3] || v === index[j * 3 + 1] || v === index[j * 3 + 2]) return true;
    }
    return false;
  };
  const boxesOverlap = (i: number, j: number): boolean => {
    for (let axis = 0; axis < 3; axis++) {
      if (boxes[i * 6 + axis]! > boxes[j * 6 + 3 + axis]! || boxes[j * 6 + axis]! > boxes[i * 6 + 3 + axis]!) return false;
    }
    return true;
  };
  bvh.bvhcast(bvh, new Matrix4(), {
    // Every overlapping pair of leaves comes both ways round (and each leaf with itself): each pair
    // of triangles is taken once, lower index first.
    intersectsRanges(offset1, count1, offset2, count2) {
      for (let i = offset1; i < offset1 + count1; i++) {
        let loaded = false;
        for (let j = Math.max(offset2, i + 1); j < offset2 + count2; j++) {
          if (!boxesOverlap(i, j) || sharesVertex(i, j)) continue;
          if (!loaded) {
            load(first, i);
            loaded = true;
          }
          load(second, j);
          if (coplanar(first, second) || !first.intersectsTriangle(second, crossing) || crossing.distance() < POINT_MM) continue;
          if (shellOf[index[i * 3]!] === shellOf[index[j * 3]!]) result.withinShells++;
          else result.betweenShells++;
          if (result.withinShells + result.betweenShells >= SELF_INTERSECTION_COUNT_LIMIT) return true;
        }
      }
      return false;
    },
  });
  geometry.dispose();
  return result;
}

/** Below this (in millimetres) two points are one. */
const POINT_MM = 1e-6;

const plane = new Plane();
const normal = new Vector3();

function coplanar(first: ExtendedTriangle, second: ExtendedTriangle): boolean {
  first.getPlane(plane);
  if (Math.abs(plane.normal.dot(second.getNormal(normal))) < 1 - 1e-9) return false;
  return [second.a, second.b, second.c].every((point) => Math.abs(plane.distanceToPoint(point)) < 1e-4);
}

/** min x, y, z then max x, y, z per triangle. */
function triangleBoxes(positions: Float32Array, index: Uint32Array): Float32Array {
  const boxes = new Float32Array((index.length / 3) * 6);
  for (let t = 0; t < index.length / 3; t++) {
    for (let axis = 0; axis < 3; axis++) {
      const a = positions[index[t * 3]! * 3 + axis]!, b = positions[index[t * 3 + 1]! * 3 + axis]!, c = positions[index[t * 3 + 2]! * 3 + axis]!;
      boxes[t * 6 + axis] = Math.min(a, b, c);
      boxes[t * 6 + 3 + axis] = Math.max(a, b, c);
    }
  }
  return boxes;
}
