export interface Unwrapped {
  /** Triangles over the unwrapped vertices. */
  indices: Uint32Array;
  /** uv per unwrapped vertex; (0, 0) is the texture's top-left corner. */
  uvs: Float32Array;
  /** The hull vertex each unwrapped vertex copies (those on the seam are copied twice). */
  source: Uint32Array;
}

/**
 * Cylindrical texture coordinates about the hull's vertical axis: u follows the angle round the
 * object (the front at the middle, its left at three quarters, the seam at the back, where it
 * shows least), v the height. A triangle across the seam gets copies of its vertices on the far
 * side, one turn on, so no triangle spans the whole texture; u is then scaled back into 0…1.
 * The caps (no view shows them) take the colours of the sides' top and bottom rows.
 */
export function unwrapCylinder(positions: Float64Array, indices: Uint32Array, yRange: { bottom: number; top: number }): Unwrapped {
  const vertexCount = positions.length / 3;
  const turns = new Float64Array(vertexCount);
  for (let v = 0; v < vertexCount; v++) turns[v] = Math.atan2(positions[v * 3]!, positions[v * 3 + 2]!) / (2 * Math.PI) + 0.5;
  const source: number[] = Array.from({ length: vertexCount }, (_, v) => v);
  const u: number[] = Array.from(turns);
  const copyOf = new Int32Array(vertexCount).fill(-1);
  const unwrapped = new Uint32Array(indices.length);
  for (let t = 0; t < indices.length; t += 3) {
    const a = indices[t]!, b = indices[t + 1]!, c = indices[t + 2]!;
    const crossesSeam = Math.max(turns[a]!, turns[b]!, turns[c]!) - Math.min(turns[a]!, turns[b]!, turns[c]!) > 0.5;
    for (let corner = 0; corner < 3; corner++) {
      const vertex = indices[t + corner]!;
      if (!crossesSeam || turns[vertex]! >= 0.5) {
        unwrapped[t + corner] = vertex;
        continue;
      }
      if (copyOf[vertex]! < 0) {
        copyOf[vertex] = source.length;
        source.push(vertex);
        u.push(turns[vertex]! + 1);
      }
      unwrapped[t + corner] = copyOf[vertex]!;
    }
  }
  let widest = 1;
  for (const value of u) widest = Math.max(widest, value);
  const height = yRange.top - yRange.bottom;
  const uvs = new Float32Array(source.length * 2);
  for (let v = 0; v < source.length; v++) {
    uvs[v * 2] = u[v]! / widest;
    uvs[v * 2 + 1] = Math.min(1, Math.max(0, (yRange.top - positions[source[v]! * 3 + 1]!) / height));
  }
  return { indices: unwrapped, uvs, source: Uint32Array.from(source) };
}
