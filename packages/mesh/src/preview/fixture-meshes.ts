import { ATLAS_CELL, BOX_FACES, type BoxFace } from './fixture-textures.js';
import type { PreviewMesh } from './render-preview.js';
import type { PreviewTexture } from './sample-texture.js';

/** Geometry without a texture, so parts can be merged before one texture is attached. */
export type MeshGeometry = Omit<PreviewMesh, 'texture'>;

type Vec3 = [number, number, number];

/**
 * A UV sphere; u runs around from the back seam (u = 0.5 faces +Z, growing towards +X, so a texture
 * reads left-to-right from the front) and v from the north pole (v = 0) to the south.
 */
export function createUvSphere(options: { radius: number; columns: number; rows: number }): MeshGeometry {
  const { radius, columns, rows } = options;
  const positions: number[] = [], uvs: number[] = [], indices: number[] = [];
  for (let i = 0; i <= rows; i++) {
    const theta = (Math.PI * i) / rows;
    for (let j = 0; j <= columns; j++) {
      const phi = 2 * Math.PI * (j / columns - 0.5);
      positions.push(radius * Math.sin(theta) * Math.sin(phi), radius * Math.cos(theta), radius * Math.sin(theta) * Math.cos(phi));
      uvs.push(j / columns, i / rows);
    }
  }
  pushGrid(indices, { columns, rows, skipPoles: true });
  return toGeometry(positions, uvs, indices);
}

/** An open cylinder (no caps) along Y: from above you look into it and see its back faces. */
export function createOpenTube(options: { radius: number; height: number; columns: number }): MeshGeometry {
  const { radius, height, columns } = options;
  const positions: number[] = [], uvs: number[] = [], indices: number[] = [];
  for (let i = 0; i <= 1; i++) {
    for (let j = 0; j <= columns; j++) {
      const phi = 2 * Math.PI * (j / columns - 0.5);
      positions.push(radius * Math.sin(phi), height * (0.5 - i), radius * Math.cos(phi));
      uvs.push(j / columns, i);
    }
  }
  pushGrid(indices, { columns, rows: 1, skipPoles: false });
  return toGeometry(positions, uvs, indices);
}

/** Outward-facing quad corners per face, in the order top-left, top-right, bottom-right, bottom-left. */
const FACE_CORNERS: Record<BoxFace, [Vec3, Vec3, Vec3, Vec3]> = {
  '+z': [[-1, 1, 1], [1, 1, 1], [1, -1, 1], [-1, -1, 1]],
  '-z': [[1, 1, -1], [-1, 1, -1], [-1, -1, -1], [1, -1, -1]],
  '+x': [[1, 1, 1], [1, 1, -1], [1, -1, -1], [1, -1, 1]],
  '-x': [[-1, 1, -1], [-1, 1, 1], [-1, -1, 1], [-1, -1, -1]],
  '+y': [[-1, 1, -1], [1, 1, -1], [1, 1, 1], [-1, 1, 1]],
  '-y': [[-1, -1, 1], [1, -1, 1], [1, -1, -1], [-1, -1, -1]],
};

/**
 * A box with its own 4 vertices per face (hard edges) and each face mapped upright onto its cell of
 * the `createFaceAtlasTexture` atlas.
 */
export function createBox(options: { centre: Vec3; halfSize: Vec3 }): MeshGeometry {
  const { centre, halfSize } = options;
  const positions: number[] = [], uvs: number[] = [], indices: number[] = [];
  // Half a texel in from the cell's edge, so bilinear filtering never reaches a neighbouring face.
  const inset = 0.5;
  const atlasWidth = ATLAS_CELL * 3, atlasHeight = ATLAS_CELL * 2;
  BOX_FACES.forEach((face, cell) => {
    const u0 = ((cell % 3) * ATLAS_CELL + inset) / atlasWidth;
    const u1 = ((cell % 3 + 1) * ATLAS_CELL - inset) / atlasWidth;
    const v0 = (Math.floor(cell / 3) * ATLAS_CELL + inset) / atlasHeight;
    const v1 = ((Math.floor(cell / 3) + 1) * ATLAS_CELL - inset) / atlasHeight;
    const cornerUvs = [[u0, v0], [u1, v0], [u1, v1], [u0, v1]];
    const first = positions.length / 3;
    FACE_CORNERS[face].forEach((corner, k) => {
      positions.push(...corner.map((sign, axis) => centre[axis]! + sign * halfSize[axis]!));
      uvs.push(...cornerUvs[k]!);
    });
    // top-left, bottom-left, bottom-right and top-left, bottom-right, top-right: counter-clockwise.
    indices.push(first, first + 3, first + 2, first, first + 2, first + 1);
  });
  return toGeometry(positions, uvs, indices);
}

export function mergeGeometries(parts: MeshGeometry[]): MeshGeometry {
  const positions: number[] = [], uvs: number[] = [], indices: number[] = [];
  for (const part of parts) {
    const offset = positions.length / 3;
    for (const value of part.positions) positions.push(value);
    for (const value of part.uvs) uvs.push(value);
    for (const index of part.indices) indices.push(index + offset);
  }
  return toGeometry(positions, uvs, indices);
}

export function withTexture(geometry: MeshGeometry, texture: PreviewTexture): PreviewMesh {
  return { ...geometry, texture };
}

/** Two counter-clockwise triangles per grid cell, rows going down and columns to the right. */
function pushGrid(indices: number[], options: { columns: number; rows: number; skipPoles: boolean }): void {
  const { columns, rows, skipPoles } = options;
  const stride = columns + 1;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      const topLeft = i * stride + j, topRight = topLeft + 1;
      const bottomLeft = topLeft + stride, bottomRight = bottomLeft + 1;
      // At a pole one triangle of the cell collapses to a line; leave it out.
      if (!(skipPoles && i === rows - 1)) indices.push(topLeft, bottomLeft, bottomRight);
      if (!(skipPoles && i === 0)) indices.push(topLeft, bottomRight, topRight);
    }
  }
}

function toGeometry(positions: number[], uvs: number[], indices: number[]): MeshGeometry {
  return { positions: Float32Array.from(positions), uvs: Float32Array.from(uvs), indices: Uint32Array.from(indices) };
}
