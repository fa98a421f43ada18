import type { WeldedMesh } from '../weld.js';

export interface EdgeTopology {
  /** Edges with a face on one side only. */
  boundaryEdges: number;
  /** Edges with three or more faces, or two faces running them the same way. */
  nonManifoldEdges: number;
  edges: number;
  /** Each vertex's connected piece of surface (0…shells-1); vertices no triangle uses get -1. */
  shellOf: Int32Array;
  shells: number;
}

/**
 * How the welded triangles meet along their edges, and which connected piece each vertex is in.
 * Counting is all this does (manifold-3d does the topology proper); it is what says whether
 * manifold-3d may be handed the mesh at all, and it works on any mesh, open or not.
 */
export function edgeTopology(mesh: WeldedMesh): EdgeTopology {
  const { indices } = mesh;
  const vertexCount = mesh.positions.length / 3;
  // Undirected edge → its slot; per slot, the faces running it low→high and high→low.
  const slots = new Map<number, number>();
  const forward: number[] = [];
  const backward: number[] = [];
  const parent = new Int32Array(vertexCount).map((_, i) => i);
  const root = (v: number): number => {
    while (parent[v] !== v) {
      parent[v] = parent[parent[v]!]!;
      v = parent[v]!;
    }
    return v;
  };
  for (let t = 0; t + 2 < indices.length; t += 3) {
    for (let c = 0; c < 3; c++) {
      const a = indices[t + c]!, b = indices[t + ((c + 1) % 3)]!;
      const key = Math.min(a, b) * vertexCount + Math.max(a, b);
      let slot = slots.get(key);
      if (slot === undefined) {
        slot = forward.length;
        slots.set(key, slot);
        forward.push(0);
        backward.push(0);
      }
      if (a < b) forward[slot]!++;
      else backward[slot]!++;
      const ra = root(a), rb = root(b);
      if (ra !== rb) parent[ra] = rb;
    }
  }
  let boundaryEdges = 0, nonManifoldEdges = 0;
  for (let slot = 0; slot < forward.length; slot++) {
    const there = forward[slot]!, back = backward[slot]!;
    if (there + back === 1) boundaryEdges++;
    else if (there !== 1 || back !== 1) nonManifoldEdges++;
  }
  const shellOf = new Int32Array(vertexCount).fill(-1);
  const shellOfRoot = new Map<number, number>();
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i]!;
    const r = root(v);
    let shell = shellOfRoot.get(r);
    if (shell === undefined) {
      shell = shellOfRoot.size;
      shellOfRoot.set(r, shell);
    }
    shellOf[v] = shell;
  }
  return { boundaryEdges, nonManifoldEdges, edges: forward.length, shellOf, shells: shellOfRoot.size };
}
