/**
 * Area-weighted vertex normals, unit length. A vertex whose triangles cancel out (possible only on
 * degenerate slivers) falls back to +z rather than NaN, which glTF validators reject.
 */
export function computeVertexNormals(positions: Float32Array, indices: Uint32Array): Float32Array {
  return normalise(sumFaceNormals(positions, indices));
}

/** Per vertex, the sum of its triangles' cross products (twice their area times their normal). */
function sumFaceNormals(positions: Float32Array, indices: Uint32Array): Float64Array {
  const sums = new Float64Array(positions.length);
  for (let i = 0; i < indices.length; i += 3) {
    const a = indices[i]! * 3, b = indices[i + 1]! * 3, c = indices[i + 2]! * 3;
    const ux = positions[b]! - positions[a]!, uy = positions[b + 1]! - positions[a + 1]!, uz = positions[b + 2]! - positions[a + 2]!;
    const vx = positions[c]! - positions[a]!, vy = positions[c + 1]! - positions[a + 1]!, vz = positions[c + 2]! - positions[a + 2]!;
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    accumulate(sums, a, nx, ny, nz);
    accumulate(sums, b, nx, ny, nz);
    accumulate(sums, c, nx, ny, nz);
  }
  return sums;
}

function normalise(sums: Float64Array): Float32Array {
  const normals = new Float32Array(sums.length);
  for (let i = 0; i < normals.length; i += 3) {
    const length = Math.hypot(sums[i]!, sums[i + 1]!, sums[i + 2]!);
    if (length > 1e-30) {
      normals[i] = sums[i]! / length;
      normals[i + 1] = sums[i + 1]! / length;
      normals[i + 2] = sums[i + 2]! / length;
    } else {
      normals[i + 2] = 1;
    }
  }
  return normals;
}

function accumulate(sums: Float64Array, offset: number, x: number, y: number, z: number): void {
  sums[offset]! += x;
  sums[offset + 1]! += y;
  sums[offset + 2]! += z;
}
