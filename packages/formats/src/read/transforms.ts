/** A 4×4 matrix, column-major, as glTF stores it. */
export type Matrix4 = [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];

export function transformPoints(points: Float32Array, m: Matrix4): Float32Array {
  const out = new Float32Array(points.length);
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i]!, y = points[i + 1]!, z = points[i + 2]!;
    out[i] = m[0] * x + m[4] * y + m[8] * z + m[12];
    out[i + 1] = m[1] * x + m[5] * y + m[9] * z + m[13];
    out[i + 2] = m[2] * x + m[6] * y + m[10] * z + m[14];
  }
  return out;
}

/**
 * The matrix that carries normals (the inverse transpose of the upper 3×3, up to a positive
 * factor: its cofactors, sign-corrected), row-major, and whether the transform mirrors.
 */
export function normalMatrix(m: Matrix4): { matrix: number[]; mirrored: boolean } {
  const a = m[0], b = m[4], c = m[8];
  const d = m[1], e = m[5], f = m[9];
  const g = m[2], h = m[6], i = m[10];
  const cofactors = [e * i - f * h, f * g - d * i, d * h - e * g, c * h - b * i, a * i - c * g, b * g - a * h, b * f - c * e, c * d - a * f, a * e - b * d];
  const determinant = a * cofactors[0]! + b * cofactors[1]! + c * cofactors[2]!;
  const sign = determinant < 0 ? -1 : 1;
  return { matrix: cofactors.map((value) => value * sign), mirrored: determinant < 0 };
}

/** Applies a row-major 3×3 to each direction and renormalises it. */
export function transformDirections(directions: Float32Array, n: number[]): Float32Array {
  const out = new Float32Array(directions.length);
  for (let i = 0; i < directions.length; i += 3) {
    const x = directions[i]!, y = directions[i + 1]!, z = directions[i + 2]!;
    const nx = n[0]! * x + n[1]! * y + n[2]! * z;
    const ny = n[3]! * x + n[4]! * y + n[5]! * z;
    const nz = n[6]! * x + n[7]! * y + n[8]! * z;
    const length = Math.hypot(nx, ny, nz) || 1;
    out[i] = nx / length;
    out[i + 1] = ny / length;
    out[i + 2] = nz / length;
  }
  return out;
}
