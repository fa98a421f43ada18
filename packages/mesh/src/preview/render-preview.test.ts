import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { createBox, createUvSphere, mergeGeometries, withTexture, type MeshGeometry } from './fixture-meshes.js';
import { createFaceAtlasTexture, type Rgb } from './fixture-textures.js';
import { BOX_FACE_COLOURS } from './golden-scenes.js';
import { DEFAULT_PREVIEW_BACKGROUND, renderPreview, type PreviewMesh, type RenderPreviewOptions } from './render-preview.js';

interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
}

/** Renders through the public PNG path and decodes it again, so every test also covers encoding. */
async function renderRgb(mesh: PreviewMesh, options: RenderPreviewOptions = {}): Promise<RgbImage> {
  const { data, info } = await sharp(await renderPreview(mesh, options)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function pixelAt(image: RgbImage, x: number, y: number): Rgb {
  const i = (Math.round(y) * image.width + Math.round(x)) * 3;
  return [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
}

function coverageMask(image: RgbImage, background: Rgb = DEFAULT_PREVIEW_BACKGROUND): boolean[] {
  const mask: boolean[] = [];
  for (let p = 0; p < image.width * image.height; p++) {
    mask.push([0, 1, 2].some((c) => Math.abs(image.data[p * 3 + c]! - background[c]!) > 8));
  }
  return mask;
}

function boundingBox(mask: boolean[], width: number): { left: number; top: number; right: number; bottom: number } {
  let left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
  mask.forEach((covered, p) => {
    if (!covered) return;
    const x = p % width, y = Math.floor(p / width);
    left = Math.min(left, x);
    right = Math.max(right, x);
    top = Math.min(top, y);
    bottom = Math.max(bottom, y);
  });
  return { left, top, right, bottom };
}

/** The face colour whose chromaticity is nearest: shading changes brightness, not hue. */
function nearestFace(pixel: Rgb): string {
  const chroma = (rgb: readonly number[]) => rgb.map((c) => c / (rgb[0]! + rgb[1]! + rgb[2]!));
  const seen = chroma(pixel);
  const distances = Object.entries(BOX_FACE_COLOURS).map(([face, colour]) => {
    const expected = chroma(colour);
    return { face, distance: Math.hypot(...seen.map((c, i) => c - expected[i]!)) };
  });
  return distances.sort((a, b) => a.distance - b.distance)[0]!.face;
}

/** A square facing +Z, every corner sampling the same texel, so it shows one flat colour. */
function createQuad(options: { z: number; halfSize: number; uv: [number, number] }): MeshGeometry {
  const { z, halfSize: h, uv } = options;
  return {
    positions: new Float32Array([-h, -h, z, h, -h, z, h, h, z, -h, h, z]),
    indices: new Uint32Array([0, 1, 2, 0, 2, 3]),
    uvs: new Float32Array([...uv, ...uv, ...uv, ...uv]),
  };
}

const atlas = createFaceAtlasTexture(BOX_FACE_COLOURS);
const cube = withTexture(createBox({ centre: [0, 0, 0], halfSize: [0.4, 0.4, 0.4] }), atlas);
const white = { data: new Uint8Array([255, 255, 255, 255]), width: 1, height: 1 };
const whiteSphere = withTexture(createUvSphere({ radius: 0.5, columns: 32, rows: 16 }), white);
// An L: a tall post on the left and a foot to the right. Symmetric in z, so yaw 180 is its mirror image.
const lShape = withTexture(
  mergeGeometries([
    createBox({ centre: [-0.35, 0, 0], halfSize: [0.15, 0.5, 0.15] }),
    createBox({ centre: [0.05, -0.35, 0], halfSize: [0.25, 0.15, 0.15] }),
  ]),
  atlas,
);

describe('renderPreview', () => {
  it('returns a square PNG of the requested size, 256 px by default', async () => {
    expect(await sharp(await renderPreview(cube)).metadata()).toMatchObject({ format: 'png', width: 256, height: 256 });
    expect(await sharp(await renderPreview(cube, { size: 100 })).metadata()).toMatchObject({ width: 100, height: 100 });
  });

  it('draws the background where there is no geometry and the object in the middle', async () => {
    const image = await renderRgb(whiteSphere);
    for (const [x, y] of [[0, 0], [255, 0], [0, 255], [255, 255], [128, 2]] as const) {
      expect(pixelAt(image, x, y)).toEqual(DEFAULT_PREVIEW_BACKGROUND);
    }
    expect(pixelAt(image, 128, 128)).not.toEqual(DEFAULT_PREVIEW_BACKGROUND);
  });

  it('frames the model so it fills most of the image without touching the edges', async () => {
    const image = await renderRgb(whiteSphere, { pitchDegrees: 0 });
    const box = boundingBox(coverageMask(image), image.width);
    expect(box.left).toBeGreaterThan(2);
    expect(box.right).toBeLessThan(253);
    expect(box.right - box.left).toBeGreaterThan(200);
  });

  it('fills the whole image with the background colour option when there are no triangles', async () => {
    const empty: PreviewMesh = { positions: new Float32Array(), indices: new Uint32Array(), uvs: new Float32Array(), texture: white };
    const image = await renderRgb(empty, { size: 16, background: [10, 20, 30] });
    expect(coverageMask(image, [10, 20, 30]).some(Boolean)).toBe(false);
  });

  it('mirrors the silhouette of an asymmetric shape between yaw 0 and yaw 180', async () => {
    const front = coverageMask(await renderRgb(lShape, { yawDegrees: 0, pitchDegrees: 0, size: 128 }));
    const back = coverageMask(await renderRgb(lShape, { yawDegrees: 180, pitchDegrees: 0, size: 128 }));
    const mirror = (mask: boolean[]) => mask.map((_, p) => mask[Math.floor(p / 128) * 128 + 127 - (p % 128)]!);
    const covered = front.filter(Boolean).length;
    const mismatches = (a: boolean[], b: boolean[]) => a.filter((value, p) => value !== b[p]).length;
    expect(mismatches(back, mirror(front)) / covered).toBeLessThan(0.02);
    // …and the shape really is asymmetric, so the check above means something.
    expect(mismatches(front, mirror(front)) / covered).toBeGreaterThan(0.3);
  });

  it.each([
    { label: 'from the front', yawDegrees: 0, pitchDegrees: 0, face: '+z' },
    { label: 'turned 90° (front to the right)', yawDegrees: 90, pitchDegrees: 0, face: '-x' },
    { label: 'from behind', yawDegrees: 180, pitchDegrees: 0, face: '-z' },
    { label: 'turned 270°', yawDegrees: 270, pitchDegrees: 0, face: '+x' },
    { label: 'from above', yawDegrees: 0, pitchDegrees: 90, face: '+y' },
    { label: 'from below', yawDegrees: 0, pitchDegrees: -90, face: '-y' },
  ])('shows the $face face in the centre when viewed $label', async ({ face, label: _label, ...view }) => {
    const image = await renderRgb(cube, { ...view, size: 64 });
    expect(nearestFace(pixelAt(image, 32, 32))).toBe(face);
  });

  it('keeps the texture upright and unmirrored (uv 0,0 is the image top-left)', async () => {
    const image = await renderRgb(cube, { yawDegrees: 0, pitchDegrees: 0, size: 128 });
    const face = boundingBox(coverageMask(image), image.width);
    const at = (fx: number, fy: number) =>
      pixelAt(image, face.left + fx * (face.right - face.left), face.top + fy * (face.bottom - face.top));
    // The atlas puts a white square in the top-left quarter of each face.
    expect(Math.min(...at(0.25, 0.25))).toBeGreaterThan(150);
    expect(nearestFace(at(0.75, 0.25))).toBe('+z');
    expect(nearestFace(at(0.25, 0.75))).toBe('+z');
  });

  it('lights the side towards the key light (upper left) brighter than the opposite side', async () => {
    const image = await renderRgb(whiteSphere, { pitchDegrees: 0 });
    const brightness = (rgb: Rgb) => rgb[0] + rgb[1] + rgb[2];
    expect(brightness(pixelAt(image, 95, 95))).toBeGreaterThan(brightness(pixelAt(image, 161, 161)) + 60);
  });

  it('draws and lights the back of an open surface like its front', async () => {
    const quad = withTexture(createQuad({ z: 0, halfSize: 0.5, uv: [0, 0] }), white);
    const front = pixelAt(await renderRgb(quad, { yawDegrees: 0, pitchDegrees: 0, size: 64 }), 32, 32);
    const back = pixelAt(await renderRgb(quad, { yawDegrees: 180, pitchDegrees: 0, size: 64 }), 32, 32);
    expect(back).toEqual(front);
    // Lit by the key light, not just the ambient (~150), which is what a wrongly flipped normal gets.
    expect(Math.min(...back)).toBeGreaterThan(200);
  });

  it('lets the nearer surface win whatever the drawing order', async () => {
    // Flat quads coloured by pointing all their uvs at one atlas cell: red (+z) near, blue (-x) far.
    const near = createQuad({ z: 0.2, halfSize: 0.2, uv: [0.5, 0.75] });
    const far = createQuad({ z: -0.2, halfSize: 0.5, uv: [0.5, 0.25] });
    for (const parts of [[near, far], [far, near]]) {
      const image = await renderRgb(withTexture(mergeGeometries(parts), atlas), { yawDegrees: 0, pitchDegrees: 0, size: 64 });
      expect(nearestFace(pixelAt(image, 32, 32))).toBe('+z');
      expect(nearestFace(pixelAt(image, 16, 32))).toBe('-x');
    }
  });

  it('returns identical bytes for the same input', async () => {
    const first = await renderPreview(lShape, { yawDegrees: 123, pitchDegrees: 17 });
    const second = await renderPreview(lShape, { yawDegrees: 123, pitchDegrees: 17 });
    expect(first.equals(second)).toBe(true);
  });

  it('rejects an index past the last vertex, a size out of range and a NaN angle', async () => {
    const broken: PreviewMesh = { ...cube, indices: Uint32Array.from([0, 1, 24]) };
    await expect(renderPreview(broken)).rejects.toThrow(/index 24 is out of range/);
    await expect(renderPreview(cube, { size: 0 })).rejects.toThrow(RangeError);
    await expect(renderPreview(cube, { yawDegrees: Number.NaN })).rejects.toThrow(/yawDegrees/);
  });

  it('renders 100k triangles at 256 px quickly', async () => {
    const big = withTexture(createUvSphere({ radius: 0.5, columns: 224, rows: 224 }), atlas);
    expect(big.indices.length / 3).toBeGreaterThan(99_000);
    await renderPreview(big); // warm-up: the first call pays for JIT compilation
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      await renderPreview(big, { yawDegrees: i * 60 });
      times.push(performance.now() - start);
    }
    // Typically ~40 ms; the bound is loose because test files share 2 cores. It catches blow-ups.
    expect(Math.min(...times)).toBeLessThan(300);
  });
});
