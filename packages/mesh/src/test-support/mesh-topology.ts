/**
 * Independent topology checks for tests: vertices are first merged by exact position, so a crack
 * hidden behind duplicated vertices still shows up as border edges.
 */
export interface Topology {
  vertices: number;
  edges: number;
  faces: number;
  /** Edges used by one triangle: holes in the surface. */
  borderEdges: number;
  /** Edges used by three or more triangles. */
  nonManifoldEdges: number;
  /** Edges whose two triangles run them in the same direction: inconsistent winding. */
  misorientedEdges: number;
  components: number;
  /** V − E + F. */
  euler: number;
}

export function analyseTopology(positions: Float32Array, indices: Uint32Array): Topology {
  const welded = weldByPosition(positions, indices);
  const uses = new Map<string, { count: number; forward: number }>();
  for (let i = 0; i < welded.indices.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      const a = welded.indices[i + k]!;
      const b = welded.indices[i + ((k + 1) % 3)]!;
      const key = a < b ? `${a},${b}` : `${b},${a}`;
      const use = uses.get(key) ?? { count: 0, forward: 0 };
      use.count++;
      if (a < b) use.forward++;
      uses.set(key, use);
    }
  }
  let borderEdges = 0, nonManifoldEdges = 0, misorientedEdges = 0;
  for (const use of uses.values()) {
    if (use.count === 1) borderEdges++;
    if (use.count > 2) nonManifoldEdges++;
    if (use.count === 2 && use.forward !== 1) misorientedEdges++;
  }
  const faces = welded.indices.length / 3;
  return {
    vertices: welded.vertexCount,
    edges: uses.size,
    faces,
    borderEdges,
    nonManifoldEdges,
    misorientedEdges,
    components: countComponents(welded.indices, welded.vertexCount),
    euler: welded.vertexCount - uses.size + faces,
  };
}

/** Total genus of a closed surface: χ = 2·components − 2·genus. */
export function genus(topology: Topology): number {
  return (2 * topology.components - topology.euler) / 2;
}

export function signedVolume(positions: Float32Array, indices: Uint32Array): number {
  let sum = 0;
  for (let i = 0; i < indices.length; i += 3) {
    const [a, b, c] = [indices[i]! * 3, indices[i + 1]! * 3, indices[i + 2]! * 3];
    sum +=
      positions[a]! * (positions[b + 1]! * positions[c + 2]! - positions[b + 2]! * positions[c + 1]!) -
      positions[a + 1]! * (positions[b]! * positions[c + 2]! - positions[b + 2]! * positions[c]!) +
      positions[a + 2]! * (positions[b]! * positions[c + 1]! - positions[b + 1]! * positions[c]!);
  }
  return sum / 6;
}

export function boundingBox(positions: Float32Array): { min: number[]; max: number[]; size: number[] } {
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < positions.length; i++) {
    min[i % 3] = Math.min(min[i % 3]!, positions[i]!);
    max[i % 3] = Math.max(max[i % 3]!, positions[i]!);
  }
  return { min, max, size: max.map((high, axis) => high - min[axis]!) };
}

function weldByPosition(positions: Float32Array, indices: Uint32Array): { indices: Uint32Array; vertexCount: number } {
  const ids = new Map<string, number>();
  const remap = new Uint32Array(positions.length / 3);
  for (let v = 0; v < remap.length; v++) {
    const key = `${positions[v * 3]},${positions[v * 3 + 1]},${positions[v * 3 + 2]}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    remap[v] = id;
  }
  return { indices: indices.map((index) => remap[index]!), vertexCount: ids.size };
}

function countComponents(indices: Uint32Array, vertexCount: number): number {
  const parent = Int32Array.from({ length: vertexCount }, (_, i) => i);
  const find = (v: number): number => {
    while (parent[v] !== v) v = parent[v] = parent[parent[v]!]!;
    return v;
  };
  for (let i = 0; i < indices.length; i += 3) {
    const a = find(indices[i]!);
    parent[find(indices[i + 1]!)] = a;
    parent[find(indices[i + 2]!)] = a;
  }
  const used = new Set<number>();
  for (let i = 0; i < indices.length; i++) used.add(find(indices[i]!));
  return used.size;
}
