import { textureExtension, type ModelMesh } from '../model-mesh.js';
import { formatNumber } from './xml.js';
import { writeZip } from './zip.js';

/** Metres: a micrometre is below anything a model from a photo resolves. */
const DECIMALS = 6;

/**
 * Wavefront OBJ with its MTL and texture, as files by name: `model.obj`, `model.mtl` and
 * `texture.<png|jpg>` (the MTL's map_Kd). Fixed names: `mtllib` and `map_Kd` end at the first
 * space in many readers, and an upload's name may have one (the download's own name carries it).
 * Positions stay in the GLB's metres, Y up. OBJ's texture origin is the image's bottom-left,
 * glTF's its top-left: V is written as 1 − v.
 */
export function writeObjFiles(mesh: ModelMesh): Record<string, Uint8Array> {
  const { positions, indices, uvs, normals, texture } = mesh;
  const textureName = texture ? `texture.${textureExtension(texture)}` : null;
  const lines: string[] = ['# image2model\nmtllib model.mtl\no model\n'];
  for (let i = 0; i < positions.length; i += 3) {
    lines.push(`v ${formatNumber(positions[i]!, DECIMALS)} ${formatNumber(positions[i + 1]!, DECIMALS)} ${formatNumber(positions[i + 2]!, DECIMALS)}\n`);
  }
  if (uvs) for (let i = 0; i < uvs.length; i += 2) lines.push(`vt ${formatNumber(uvs[i]!, DECIMALS)} ${formatNumber(1 - uvs[i + 1]!, DECIMALS)}\n`);
  if (normals) for (let i = 0; i < normals.length; i += 3) lines.push(`vn ${formatNumber(normals[i]!, DECIMALS)} ${formatNumber(normals[i + 1]!, DECIMALS)} ${formatNumber(normals[i + 2]!, DECIMALS)}\n`);
  lines.push('usemtl material\n');
  // Vertex, texture and normal arrays are parallel (one per GLB vertex): one index serves all three.
  const corner = uvs && normals ? (v: number) => `${v}/${v}/${v}` : uvs ? (v: number) => `${v}/${v}` : normals ? (v: number) => `${v}//${v}` : (v: number) => `${v}`;
  for (let t = 0; t + 2 < indices.length; t += 3) lines.push(`f ${corner(indices[t]! + 1)} ${corner(indices[t + 1]! + 1)} ${corner(indices[t + 2]! + 1)}\n`);
  const mtl = ['# image2model\nnewmtl material\nKa 0 0 0\nKs 0 0 0\nd 1\nillum 1\n', textureName ? `Kd 1 1 1\nmap_Kd ${textureName}\n` : 'Kd 0.8 0.8 0.8\n'].join('');
  const encoder = new TextEncoder();
  return {
    'model.obj': encoder.encode(lines.join('')),
    'model.mtl': encoder.encode(mtl),
    ...(texture && textureName ? { [textureName]: texture.bytes } : {}),
  };
}

/** The OBJ, its MTL and its texture in one ZIP (what `format=obj` downloads). */
export function writeObjZip(mesh: ModelMesh): Uint8Array {
  // The texture is compressed already: stored, not deflated again.
  return writeZip(Object.entries(writeObjFiles(mesh)).map(([name, data]) => ({ name, data, deflate: name.endsWith('.obj') || name.endsWith('.mtl') })));
}
