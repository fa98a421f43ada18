/**
 * Faces meeting at a sharper angle than this (60°) keep their own normals at the shared corner, so
 * a hull's flat top meets its sides in a crisp edge instead of a shading smear across the top.
 */
const CREASE_COSINE = Math.cos((60 * Math.PI) / 180);

export interface CreasedModel {
  positions: Float32Array;
  normals: Float32Array;
  uvs: Float32Array;
  indices: Uint32Array;
}

/**
 * Per-corner normals smoothed only across gentle edges: each corner's normal is the area-weighted
 * mean of the faces around its vertex that lie within the crease angle of its own face. Corners
 * of a vertex that end up with different normals become separate vertices (same position and uv);
 * `source` names each vertex's original, so faces on both sides of a texture seam are still neighbours.
 */
export function creaseNormals(model: { positions: Float32Array; uvs: Float32Array; indices: Uint32Array }, source: Uint32Array, sourceCount: number): CreasedModel {
  const { positions, uvs, indices } = model;
  const faceNormals = computeFaceNormals(positions, indices);
  const { offsets, faces } = facesAroundVertices(indices, source, sourceCount);
  const vertexOf = new Map<string, number>();
  const out = { positions: [] as number[], normals: [] as number[], uvs: [] as number[] };
  const creased = new Uint32Array(indices.length);
  for (let corner = 0; corner < indices.length; corner++) {
    const vertex = indices[corner]!;
    const own = Math.floor(corner / 3) * 3;
    let nx = 0, ny = 0, nz = 0;
    const original = source[vertex]!;
    for (let f = offsets[original]!; f < offsets[original + 1]!; f++) {
      const other = faces[f]! * 3;
      if (cosine(faceNormals, own, other) < CREASE_COSINE) continue;
      nx += faceNormals[other]!;
      ny += faceNormals[other + 1]!;
      nz += faceNormals[other + 2]!;
    }
    const length = Math.sqrt(nx * nx + ny * ny + nz * nz);
    // A sliver whose neighbours cancel out: +z rather than NaN, as computeVertexNormals does.
    const normal = length > 0 ? [nx / length, ny / length, nz / length] : [0, 0, 1];
    const key = `${vertex}:${normal.map((value) => Math.round(value * 1e4)).join(',')}`;
    let target = vertexOf.get(key);
    if (target === undefined) {
      target = out.positions.length / 3;
      vertexOf.set(key, target);
      out.positions.push(positions[vertex * 3]!, positions[vertex * 3 + 1]!, positions[vertex * 3 + 2]!);
      out.normals.push(...normal);
      out.uvs.push(uvs[vertex * 2]!, uvs[vertex * 2 + 1]!);
    }
    creased[corner] = target;
  }
  return { positions: Float32Array.from(out.positions), normals: Float32Array.from(out.normals), uvs: Float32Array.from(out.uvs), indices: creased };
}

/** Per triangle, its cross product: its normal times twice its area. */
function computeFaceNormals(positions: Float32Array, indices: Uint32Array): Float64Array {
  const normals = new Float64Array(indices.length);
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t]! * 3, b = indices[t + 1]! * 3, c = indices[t + 2]! * 3;
    const ux = positions[b]! - positions[a]!, uy = positions[b + 1]! - positions[a + 1]!, uz = positions[b + 2]! - positions[a + 2]!;
    const vx = positions[c]! - positions[a]!, vy = positions[c + 1]! - positions[a + 1]!, vz = positions[c + 2]! - positions[a + 2]!;
    normals[t] = uy * vz - uz * vy;
    normals[t + 1] = uz * vx - ux * vz;
    normals[t + 2] = ux * vy - uy * vx;
  }
  return normals;
}

function cosine(normals: Float64Array, a: number, b: number): number {
  const dot = normals[a]! * normals[b]! + normals[a + 1]! * normals[b + 1]! + normals[a + 2]! * normals[b + 2]!;
  const lengths = Math.hypot(normals[a]!, normals[a + 1]!, normals[a + 2]!) * Math.hypot(normals[b]!, normals[b + 1]!, normals[b + 2]!);
  return lengths > 0 ? dot / lengths : 1;
}

/** The triangles around each original vertex: faces[offsets[v]…offsets[v + 1]). */
function facesAroundVertices(indices: Uint32Array, source: Uint32Array, sourceCount: number): { offsets: Int32Array; faces: Int32Array } {
  const offsets = new Int32Array(sourceCount + 1);
  for (let corner = 0; corner < indices.length; corner++) offsets[source[indices[corner]!]! + 1]!++;
  for (let v = 0; v < sourceCount; v++) offsets[v + 1]! += offsets[v]!;
  const next = offsets.slice(0, sourceCount);
  const faces = new Int32Array(indices.length);
  for (let corner = 0; corner < indices.length; corner++) faces[next[source[indices[corner]!]!]!++] = Math.floor(corner / 3);
  return { offsets, faces };
}
