import Module from 'manifold-3d';

import type { WeldedMesh } from '../weld.js';

type ManifoldModule = Awaited<ReturnType<typeof Module>>;

let wasm: Promise<ManifoldModule> | null = null;

/** One manifold-3d per thread: its WebAssembly is compiled once. */
function manifoldModule(): Promise<ManifoldModule> {
  wasm ??= Module().then((module) => {
    module.setup();
    return module;
  });
  return wasm;
}

export interface Solid {
  /** Handles summed over the shells (manifold-3d's genus is of the whole, 1 - χ/2, which goes negative with several shells). */
  genus: number;
  shells: number;
  /** Signed: negative when the faces point inward. Overlapping shells counted once when `unite` was asked for. */
  volume: number;
  /** Of the united shells when `unite` was asked for, else null (the caller sums the triangles). */
  unitedArea: number | null;
}

/**
 * The model as a manifold-3d solid: genus, shells (decompose) and volume. Null when manifold-3d
 * refuses the mesh (its constructor throws on a mesh that is not closed and manifold). `unite`
 * (shells that overlap) takes the boolean union of the shells, so an overlap is counted once.
 */
export async function solidOf(mesh: WeldedMesh, options: { unite: boolean }): Promise<Solid | null> {
  const module = await manifoldModule();
  let solid: InstanceType<ManifoldModule['Manifold']>;
  try {
    solid = new module.Manifold(new module.Mesh({ numProp: 3, vertProperties: mesh.positions, triVerts: mesh.indices }));
  } catch {
    return null;
  }
  try {
    if (solid.status() !== 'NoError') return null;
    const parts = solid.decompose();
    try {
      const genus = parts.reduce((sum, part) => sum + part.genus(), 0);
      if (!options.unite || parts.length < 2) return { genus, shells: parts.length, volume: solid.volume(), unitedArea: null };
      const united = module.Manifold.union(parts);
      try {
        return { genus, shells: parts.length, volume: united.volume(), unitedArea: united.surfaceArea() };
      } finally {
        united.delete();
      }
    } finally {
      for (const part of parts) part.delete();
    }
  } finally {
    solid.delete();
  }
}
