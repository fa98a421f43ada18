/**
 * Smooth per-vertex normals, each face weighted by its area.
 *
 * We recompute normals instead of trusting a NORMAL attribute so that every mesh, synthetic or read
 * from a GLB, is lit the same way. The unnormalised cross product is twice the face area times the
 * face normal, so summing it weights big faces more and slivers hardly at all, which keeps the
 * shading of decimated meshes free of streaks.
 */
export function computeVertexNormals(positions: Float32Array, indices: Uint32Array): Float32Array {
  const vertexCount = (positions.length / 3) | 0;
  // Float64 sums: a vertex can collect hundreds of faces and Float32 would drift.
  const sums = new Float64Array(vertexCount * 3);
  const triangleCount = (indices.length / 3) | 0;
  for (let t = 0; t < triangleCount; t++) {
    const a = indices[3 * t]! * 3;
    const b = indices[3 * t + 1]! * 3;
    const c = indices[3 * t + 2]! * 3;
    const abx = positions[b]! - positions[a]!;
    const aby = positions[b + 1]! - positions[a + 1]!;
    const abz = positions[b + 2]! - positions[a + 2]!;
    const acx = positions[c]! - positions[a]!;
    const acy = positions[c + 1]! - positions[a + 1]!;
    const acz = positions[c + 2]! - positions[a + 2]!;
    const nx = aby * acz - abz * acy;
    const ny = abz * acx - abx * acz;
    const nz = abx * acy - aby * acx;
    sums[a] = sums[a]! + nx;
    sums[a + 1] = sums[a + 1]! + ny;
    sums[a + 2] = sums[a + 2]! + nz;
    sums[b] = sums[b]! + nx;
    sums[b + 1] = sums[b + 1]! + ny;
    sums[b + 2] = sums[b + 2]! + nz;
    sums[c] = sums[c]! + nx;
    sums[c + 1] = sums[c + 1]! + ny;
    sums[c + 2] = sums[c + 2]! + nz;
  }
  return normalizeVectors(sums);
}

/** Unit vectors; a zero vector (an unused or degenerate vertex) stays zero and the shader copes. */
function normalizeVectors(sums: Float64Array): Float32Array {
  const normals = new Float32Array(sums.length);
  for (let i = 0; i < sums.length; i += 3) {
    const x = sums[i]!;
    const y = sums[i + 1]!;
    const z = sums[i + 2]!;
    const length = Math.sqrt(x * x + y * y + z * z);
    if (length > 0) {
      normals[i] = x / length;
      normals[i + 1] = y / length;
      normals[i + 2] = z / length;
    }
  }
  return normals;
}
