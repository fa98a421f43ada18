import type { WeldedMesh } from '../weld.js';

const HEADER_BYTES = 80;
const TRIANGLE_BYTES = 50;

/**
 * Binary STL: an 80-byte header, the triangle count, then per triangle its unit normal, three
 * corners (float32, little-endian) and a zero attribute word. Units are whatever the positions are
 * (STL has none; slicers assume millimetres).
 */
export function writeStl(mesh: WeldedMesh, header = 'image2model'): Uint8Array {
  const { positions, indices } = mesh;
  const count = Math.floor(indices.length / 3);
  const bytes = new Uint8Array(HEADER_BYTES + 4 + count * TRIANGLE_BYTES);
  // The header must not start with "solid": readers would take the file for ASCII STL.
  bytes.set(new TextEncoder().encode(`binary STL by ${header}`.slice(0, HEADER_BYTES)));
  const view = new DataView(bytes.buffer);
  view.setUint32(HEADER_BYTES, count, true);
  let offset = HEADER_BYTES + 4;
  const corner = (index: number, axis: number): number => positions[indices[index]! * 3 + axis]!;
  for (let t = 0; t < count; t++) {
    const i = t * 3;
    const ux = corner(i + 1, 0) - corner(i, 0), uy = corner(i + 1, 1) - corner(i, 1), uz = corner(i + 1, 2) - corner(i, 2);
    const vx = corner(i + 2, 0) - corner(i, 0), vy = corner(i + 2, 1) - corner(i, 1), vz = corner(i + 2, 2) - corner(i, 2);
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    const length = Math.hypot(nx, ny, nz) || 1;
    view.setFloat32(offset, nx / length, true);
    view.setFloat32(offset + 4, ny / length, true);
    view.setFloat32(offset + 8, nz / length, true);
    offset += 12;
    for (let c = 0; c < 3; c++) {
      for (let axis = 0; axis < 3; axis++) {
        view.setFloat32(offset, corner(i + c, axis), true);
        offset += 4;
      }
    }
    offset += 2; // attribute byte count: 0
  }
  return bytes;
}
