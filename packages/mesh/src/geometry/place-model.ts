import type { PixelMesh } from './pixel-mesh.js';
import { computeVertexNormals } from './vertex-normals.js';

/** The rectangle of the working image that the texture holds, in image pixels. */
export interface TextureRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The model in glTF conventions: metres, Y up, longest side 1, centred on the origin (in depth: the silhouette's plane is z = 0). */
export interface PlacedModel {
  positions: Float32Array;
  normals: Float32Array;
  /** (0, 0) is the texture's top-left corner (glTF does not flip v). */
  uvs: Float32Array;
  indices: Uint32Array;
}

/**
 * Moves an image-space mesh into glTF space: y flipped to point up, the bounding box centred on
 * the origin in x and y, the silhouette's plane kept at z = 0, and scaled so the longest side of
 * the bounding box is 1 m. Texture coordinates are the image position
 * within `rect`, so the photo is projected straight onto the front (and mirrored on the back).
 */
export function placeModel(mesh: PixelMesh, rect: TextureRect): PlacedModel {
  const source = mesh.positions;
  const box = boundingBox(source);
  const centre = [(box[0]! + box[3]!) / 2, (box[1]! + box[4]!) / 2, 0];
  const scale = 1 / Math.max(box[3]! - box[0]!, box[4]! - box[1]!, box[5]! - box[2]!);
  const vertexCount = source.length / 3;
  const positions = new Float32Array(source.length);
  const uvs = new Float32Array(vertexCount * 2);
  for (let v = 0; v < vertexCount; v++) {
    const x = source[v * 3]!, y = source[v * 3 + 1]!, z = source[v * 3 + 2]!;
    positions[v * 3] = (x - centre[0]!) * scale;
    positions[v * 3 + 1] = (centre[1]! - y) * scale;
    positions[v * 3 + 2] = (z - centre[2]!) * scale;
    uvs[v * 2] = clampUnit((x - rect.x) / rect.width);
    uvs[v * 2 + 1] = clampUnit((y - rect.y) / rect.height);
  }
  return { positions, normals: computeVertexNormals(positions, mesh.indices), uvs, indices: mesh.indices };
}

function clampUnit(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/** minX, minY, minZ, maxX, maxY, maxZ. */
function boundingBox(positions: Float64Array): Float64Array {
  const box = Float64Array.of(Infinity, Infinity, Infinity, -Infinity, -Infinity, -Infinity);
  for (let i = 0; i < positions.length; i++) {
    const axis = i % 3;
    box[axis] = Math.min(box[axis]!, positions[i]!);
    box[axis + 3] = Math.max(box[axis + 3]!, positions[i]!);
  }
  return box;
}
