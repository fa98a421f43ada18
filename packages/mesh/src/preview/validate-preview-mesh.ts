import type { PreviewMesh } from './render-preview.js';

/**
 * Rejects meshes the rasteriser would read out of bounds. Typed arrays return `undefined` past their
 * end, which turns into NaN and silently drops triangles; a clear error is kinder to the caller.
 */
export function validatePreviewMesh(mesh: PreviewMesh): void {
  const { positions, indices, uvs, texture } = mesh;
  if (positions.length % 3 !== 0) throw new RangeError('positions must hold xyz triples');
  if (indices.length % 3 !== 0) throw new RangeError('indices must hold whole triangles');
  const vertexCount = positions.length / 3;
  if (uvs.length < vertexCount * 2) {
    throw new RangeError(`uvs has ${uvs.length / 2} entries for ${vertexCount} vertices`);
  }
  const { width, height, data } = texture;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`texture size ${width}×${height} is not a positive integer size`);
  }
  if (data.length < width * height * 4) {
    throw new RangeError(`texture data holds ${data.length} bytes, RGBA ${width}×${height} needs ${width * height * 4}`);
  }
  const largest = maxIndex(indices);
  if (largest >= vertexCount) {
    throw new RangeError(`index ${largest} is out of range for ${vertexCount} vertices`);
  }
}

function maxIndex(indices: Uint32Array): number {
  let largest = -1;
  for (let i = 0; i < indices.length; i++) if (indices[i]! > largest) largest = indices[i]!;
  return largest;
}
