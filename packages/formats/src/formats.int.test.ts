import { strFromU8, unzipSync } from 'fflate';
import Module from 'manifold-3d';
import { BufferGeometry } from 'three';
import { ThreeMFLoader } from 'three/examples/jsm/loaders/3MFLoader.js';
import { MTLLoader } from 'three/examples/jsm/loaders/MTLLoader.js';
import { OBJLoader } from 'three/examples/jsm/loaders/OBJLoader.js';
import { PLYLoader } from 'three/examples/jsm/loaders/PLYLoader.js';
import { STLLoader } from 'three/examples/jsm/loaders/STLLoader.js';
import { USDLoader } from 'three/examples/jsm/loaders/USDLoader.js';
import { beforeAll, describe, expect, it } from 'vitest';

import { DRACO_ROOT_TRANSFORM } from '@image2model/fal-emulator';
import { DEFAULT_PRINT_MAX_SIDE_MM } from '@image2model/core/limits';
import { assertMeshReadersInCi, HAS_MESH_READERS } from '@image2model/testing/mesh-readers';

import { convertModel, DEFAULT_WELD_TOLERANCE_METRES, readModel, toPrintFrame, weldByPosition, write3mf, writeObjFiles, writePly, writeStl, writeUsdz, USDZ_ALIGNMENT, type ModelMesh } from './index.js';
import { assimpSummary, dracoMultiNodeModel, edgeUse, installStrictDomParser, localModels, parseStrictXml, readWith } from './test-support/fixtures.js';

// Every check reads our files with readers we did not write: admesh and assimp (Debian), three.js's loaders, manifold-3d.
// Without admesh and assimp the tests that run them are skipped locally (and fail with CI=true).
const withReaders = it.skipIf(!HAS_MESH_READERS);
let mug: Uint8Array;
let star: Uint8Array;
let draco: Uint8Array;
let mugMesh: ModelMesh;

beforeAll(async () => {
  assertMeshReadersInCi();
  ({ mug, star } = await localModels());
  draco = await dracoMultiNodeModel();
  mugMesh = await readModel(mug);
  installStrictDomParser();
}, 120_000);

const arrayBuffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;
const bounds = (positions: ArrayLike<number>): { min: number[]; max: number[] } => {
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < positions.length; i++) {
    min[i % 3] = Math.min(min[i % 3]!, positions[i]!);
    max[i % 3] = Math.max(max[i % 3]!, positions[i]!);
  }
  return { min, max };
};

describe('STL', () => {
  withReaders('is read by admesh as one closed part, Z-up, with its longest side at the 100 mm default', async () => {
    const stl = await convertModel(mug, { format: 'stl', name: 'mug' });
    const report = await readWith('admesh', (file) => [file], { 'mug.stl': stl }, 'mug.stl');
    expect(report).toContain('Binary STL file');
    expect(report).toMatch(/Total disconnected facets\s*:\s*0\s/);
    expect(report).toMatch(/Number of parts\s*:\s*1\s/);
    const minZ = Number(/Min Z =\s*(-?[\d.]+)/.exec(report)?.[1]);
    const sizes = ['X', 'Y', 'Z'].map((axis) => Number(new RegExp(`Max ${axis} =\\s*(-?[\\d.]+)`).exec(report)?.[1]) - Number(new RegExp(`Min ${axis} =\\s*(-?[\\d.]+)`).exec(report)?.[1]));
    expect(minZ).toBeCloseTo(0, 4);
    expect(Math.max(...sizes)).toBeCloseTo(DEFAULT_PRINT_MAX_SIDE_MM, 3);
    // glTF's Y (up) is the print's Z: the mug's height.
    const gltf = bounds(mugMesh.positions);
    const scale = DEFAULT_PRINT_MAX_SIDE_MM / Math.max(...[0, 1, 2].map((a) => gltf.max[a]! - gltf.min[a]!));
    expect(sizes[2]).toBeCloseTo((gltf.max[1]! - gltf.min[1]!) * scale, 2);
  });

  it('is scaled to height_mm and read by three.js with every triangle', async () => {
    const stl = await convertModel(mug, { format: 'stl', heightMm: 42, name: 'mug' });
    const geometry = new STLLoader().parse(arrayBuffer(stl));
    const position = geometry.getAttribute('position');
    expect(position.count / 3).toBe(mugMesh.indices.length / 3);
    const { min, max } = bounds(position.array as Float32Array);
    expect(max[2]! - min[2]!).toBeCloseTo(42, 3);
    expect(min[2]).toBeCloseTo(0, 5);
  });

  it('comes out closed and manifold for the local generator (manifold-3d accepts it)', async () => {
    const wasm = await Module();
    wasm.setup();
    for (const glb of [mug, star]) {
      const welded = weldByPosition(await readModel(glb), DEFAULT_WELD_TOLERANCE_METRES);
      expect(edgeUse(welded.indices)).toEqual({ boundary: 0, nonManifold: 0, inconsistent: 0 });
      const solid = new wasm.Manifold(new wasm.Mesh({ numProp: 3, vertProperties: welded.positions, triVerts: welded.indices }));
      expect(solid.status()).toBe('NoError');
      expect(solid.volume()).toBeGreaterThan(0);
      solid.delete();
    }
  });
});

describe('3MF', () => {
  withReaders('is valid XML in millimetres with its title escaped, read by three.js and assimp', async () => {
    const title = 'Tom & Jerry <mug> "quoted"';
    const package3mf = await convertModel(mug, { format: '3mf', name: title });
    const files = unzipSync(package3mf);
    expect(Object.keys(files).sort()).toEqual(['3D/3dmodel.model', '[Content_Types].xml', '_rels/.rels']);
    const xml = strFromU8(files['3D/3dmodel.model']!);
    expect(xml).toContain('unit="millimeter"');
    expect(xml).toContain('<metadata name="Title">Tom &#38; Jerry &#60;mug&#62; &#34;quoted&#34;</metadata>');
    // The strict parser throws on any XML error; the title reads back as it was.
    expect(parseStrictXml(xml).getElementsByTagName('metadata')[0]?.textContent).toBe(title);

    const group = new ThreeMFLoader().parse(arrayBuffer(package3mf));
    let triangles = 0;
    group.traverse((object) => {
      const geometry = (object as { geometry?: BufferGeometry }).geometry;
      if (geometry) triangles += (geometry.index?.count ?? geometry.getAttribute('position').count) / 3;
    });
    expect(triangles).toBe(mugMesh.indices.length / 3);

    const summary = assimpSummary(await readWith('assimp', (file) => ['info', file], { 'mug.3mf': package3mf }, 'mug.3mf'));
    expect(summary.faces).toBe(mugMesh.indices.length / 3);
    expect(summary.min[2]).toBeCloseTo(0, 3);
    expect(Math.max(...[0, 1, 2].map((a) => summary.max[a]! - summary.min[a]!))).toBeCloseTo(DEFAULT_PRINT_MAX_SIDE_MM, 2);
  });
});

describe('OBJ', () => {
  it('carries the MTL and texture, and three.js reads the GLB\'s UVs with V flipped for the same vertices', async () => {
    const files = unzipSync(await convertModel(mug, { format: 'obj', name: 'mug' }));
    expect(Object.keys(files).sort()).toEqual(['model.mtl', 'model.obj', 'texture.jpg']);
    expect(files['texture.jpg']).toEqual(mugMesh.texture?.bytes);
    const materials = new MTLLoader().parse(strFromU8(files['model.mtl']!), '');
    expect(materials.materialsInfo.material?.map_kd).toBe('texture.jpg');

    const group = new OBJLoader().parse(strFromU8(files['model.obj']!));
    const geometry = (group.children[0] as unknown as { geometry: BufferGeometry }).geometry;
    const position = geometry.getAttribute('position');
    const uv = geometry.getAttribute('uv');
    const { positions, indices, uvs } = mugMesh;
    expect(position.count).toBe(indices.length);
    for (let corner = 0; corner < indices.length; corner += 97) {
      const vertex = indices[corner]!;
      expect(position.getX(corner)).toBeCloseTo(positions[vertex * 3]!, 5);
      expect(position.getY(corner)).toBeCloseTo(positions[vertex * 3 + 1]!, 5);
      expect(uv.getX(corner)).toBeCloseTo(uvs![vertex * 2]!, 5);
      expect(uv.getY(corner)).toBeCloseTo(1 - uvs![vertex * 2 + 1]!, 5);
    }
  });

  withReaders('is read by assimp with its faces and texture', async () => {
    const files = writeObjFiles(mugMesh);
    const output = await readWith('assimp', (file) => ['info', file], files, 'model.obj');
    expect(assimpSummary(output).faces).toBe(mugMesh.indices.length / 3);
    expect(output).toMatch(/\$tex\.file.*Diffuse/);
  });
});

describe('PLY', () => {
  withReaders('is read by three.js with the GLB\'s UVs V-flipped per vertex, and by assimp', async () => {
    const ply = writePly(mugMesh);
    const geometry = new PLYLoader().parse(arrayBuffer(ply));
    const uv = geometry.getAttribute('uv');
    expect(geometry.getAttribute('position').count).toBe(mugMesh.positions.length / 3);
    expect(geometry.index?.count).toBe(mugMesh.indices.length);
    for (let vertex = 0; vertex < uv.count; vertex += 13) {
      expect(uv.getX(vertex)).toBeCloseTo(mugMesh.uvs![vertex * 2]!, 6);
      expect(uv.getY(vertex)).toBeCloseTo(1 - mugMesh.uvs![vertex * 2 + 1]!, 6);
    }
    const summary = assimpSummary(await readWith('assimp', (file) => ['info', file], { 'mug.ply': ply }, 'mug.ply'));
    expect(summary).toMatchObject({ vertices: mugMesh.positions.length / 3, faces: mugMesh.indices.length / 3 });
  });
});

describe('USDZ', () => {
  it('follows the packaging rules: the scene first, every entry stored and 64-byte aligned', () => {
    const usdz = writeUsdz(mugMesh);
    const view = new DataView(usdz.buffer, usdz.byteOffset, usdz.byteLength);
    const names: string[] = [];
    let offset = 0;
    while (view.getUint32(offset, true) === 0x04034b50) {
      const method = view.getUint16(offset + 8, true);
      const size = view.getUint32(offset + 18, true);
      const nameLength = view.getUint16(offset + 26, true);
      const extraLength = view.getUint16(offset + 28, true);
      const dataStart = offset + 30 + nameLength + extraLength;
      names.push(new TextDecoder().decode(usdz.subarray(offset + 30, offset + 30 + nameLength)));
      expect(method).toBe(0);
      expect(dataStart % USDZ_ALIGNMENT).toBe(0);
      offset = dataStart + size;
    }
    expect(names).toEqual(['model.usda', 'textures/texture.jpg']);
    // Another ZIP reader agrees on the content.
    expect(unzipSync(usdz)['textures/texture.jpg']).toEqual(mugMesh.texture?.bytes);
  });

  it('is read back by three.js with its mesh and textured material', () => {
    // three.js decodes the texture through an <img>: a stand-in records which image it was given.
    const images: string[] = [];
    (globalThis as { document?: unknown }).document = {
      createElementNS: () => ({ addEventListener: () => undefined, removeEventListener: () => undefined, set src(url: string) { images.push(url); } }),
    };
    const group = new USDLoader().parse(arrayBuffer(writeUsdz(mugMesh)));
    const meshes: { geometry: BufferGeometry; material: { map?: unknown } }[] = [];
    group.traverse((object) => {
      if ((object as { isMesh?: boolean }).isMesh) meshes.push(object as unknown as (typeof meshes)[number]);
    });
    expect(meshes).toHaveLength(1);
    const geometry = meshes[0]!.geometry;
    const triangles = (geometry.index?.count ?? geometry.getAttribute('position').count) / 3;
    expect(triangles).toBe(mugMesh.indices.length / 3);
    expect(geometry.getAttribute('uv')).toBeDefined();
    expect(meshes[0]!.material.map).toBeTruthy();
    expect(images).toHaveLength(1);
    delete (globalThis as { document?: unknown }).document;
  });
});

describe('a FAL-style GLB (Draco, two meshes on two nodes under a transformed root)', () => {
  withReaders('is decoded with every mesh and its world transform, and welds back to the closed model', async () => {
    const mesh = await readModel(draco);
    expect(mesh.indices.length).toBe(mugMesh.indices.length);
    // The root scales by 2, turns a quarter about Y and moves: the mug's extents, turned and doubled.
    const original = bounds(mugMesh.positions);
    const read = bounds(mesh.positions);
    const [sx, sy, sz] = [0, 1, 2].map((a) => original.max[a]! - original.min[a]!);
    const scale = DRACO_ROOT_TRANSFORM.scale[0];
    expect(read.max[0]! - read.min[0]!).toBeCloseTo(sz! * scale, 2);
    expect(read.max[1]! - read.min[1]!).toBeCloseTo(sy! * scale, 2);
    expect(read.max[2]! - read.min[2]!).toBeCloseTo(sx! * scale, 2);
    expect((read.max[1]! + read.min[1]!) / 2).toBeCloseTo(DRACO_ROOT_TRANSFORM.translation[1] + ((original.max[1]! + original.min[1]!) / 2) * scale, 2);
    expect(mesh.texture?.bytes).toEqual(mugMesh.texture?.bytes);

    // The two halves' copies of their shared seam weld back together.
    const welded = weldByPosition(mesh, DEFAULT_WELD_TOLERANCE_METRES);
    expect(edgeUse(welded.indices)).toMatchObject({ boundary: 0, nonManifold: 0 });
    const report = await readWith('admesh', (file) => [file], { 'fal.stl': writeStl(toPrintFrame(welded)) }, 'fal.stl');
    expect(report).toMatch(/Number of parts\s*:\s*1\s/);
  });

  it('converts to every format', async () => {
    for (const format of ['stl', '3mf', 'obj', 'ply', 'usdz'] as const) expect((await convertModel(draco, { format, name: 'fal' })).length).toBeGreaterThan(1000);
    expect(write3mf(toPrintFrame(weldByPosition(await readModel(draco), DEFAULT_WELD_TOLERANCE_METRES)), 'fal').length).toBeGreaterThan(1000);
  });
});
