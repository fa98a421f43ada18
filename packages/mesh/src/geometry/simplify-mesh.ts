import { MeshoptSimplifier, type SimplifierFlags } from 'meshoptimizer';

import { uninitialisedFloat32, uninitialisedFloat64 } from '../memory/scratch-memory.js';
import type { PixelMesh } from './pixel-mesh.js';
import { removeFins } from './remove-fins.js';

/** Resolves once meshoptimizer's WebAssembly is compiled; `simplifyMesh` needs it. */
export const simplifierReady: Promise<void> = MeshoptSimplifier.ready;

/**
 * Edge-collapse simplification (meshoptimizer) towards `faceLimit` triangles, with no error bound
 * so only the budget stops it. 'Prune' drops components too small to matter instead of keeping
 * crumbs of them. Folded fins are removed (see remove-fins.ts), and vertices compacted into
 * first-use order (cache friendly, deterministic).
 * The result may still exceed the limit or be damaged; callers check it.
 */
export function simplifyMesh(mesh: PixelMesh, faceLimit: number, flags: SimplifierFlags[] = ['Prune']): PixelMesh {
  const positions = toFloat32(mesh.positions);
  const [simplified] = MeshoptSimplifier.simplify(mesh.indices, positions, 3, faceLimit * 3, 1, flags);
  return compactMesh({ positions: mesh.positions, indices: removeFins(simplified) });
}

/** Drops vertices no triangle uses, renumbering in order of first use. */
export function compactMesh(mesh: PixelMesh): PixelMesh {
  const indices = mesh.indices.slice();
  const [remap, unique] = MeshoptSimplifier.compactMesh(indices);
  const positions = uninitialisedFloat64(unique * 3);
  for (let vertex = 0; vertex < remap.length; vertex++) {
    const target = remap[vertex]!;
    if (target === 0xffffffff) continue;
    positions[target * 3] = mesh.positions[vertex * 3]!;
    positions[target * 3 + 1] = mesh.positions[vertex * 3 + 1]!;
    positions[target * 3 + 2] = mesh.positions[vertex * 3 + 2]!;
  }
  return { positions, indices };
}

function toFloat32(values: Float64Array): Float32Array {
  const result = uninitialisedFloat32(values.length);
  for (let i = 0; i < values.length; i++) result[i] = values[i]!;
  return result;
}
