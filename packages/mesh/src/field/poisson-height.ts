import { scratchFloat32, scratchUint8, uninitialisedFloat32 } from '../memory/scratch-memory.js';
import { sampleBilinear } from './sample-bilinear.js';
import type { SignedField } from './signed-distance.js';

/** The Poisson solve runs on a grid with at most this long side: the solution is smooth, so detail costs time for nothing. */
const SOLVE_EDGE = 256;
const COARSEST_EDGE = 16;
const COARSEST_ITERATIONS = 300;
const LEVEL_ITERATIONS = 40;
const OVER_RELAXATION = 1.8;

/**
 * Poisson inflation (Baran & Lehtinen 2009; Ink-and-Ray; Monster Mash): solve ∇²f = −4 inside the
 * silhouette with f = 0 outside, then h = √f. With that constant a disk of radius R becomes a
 * hemisphere of height R, as with Puffball; thin parts come out fatter and the whole is smoother.
 * Solved coarse-to-fine (each level starts from the one below) with red-black SOR, on a grid of at
 * most SOLVE_EDGE pixels, then upsampled. Returns pixels of height per field pixel, 0 outside.
 */
export function computePoissonHeight(field: SignedField): Float32Array {
  const { width, height } = field;
  const factor = Math.max(1, Math.ceil(Math.max(width, height) / SOLVE_EDGE));
  const levels = [downsampleInside(field, factor)];
  while (Math.max(levels[0]!.width, levels[0]!.height) > COARSEST_EDGE) levels.unshift(halveLevel(levels[0]!));
  let solution: Float32Array = scratchFloat32(levels[0]!.mask.length);
  for (let index = 0; index < levels.length; index++) {
    const level = levels[index]!;
    if (index > 0) solution = prolong(solution, levels[index - 1]!, level);
    relax(solution, level, index === 0 ? COARSEST_ITERATIONS : LEVEL_ITERATIONS);
  }
  return upsampleHeight(solution, levels[levels.length - 1]!, field, factor);
}

interface Level {
  /** 1 where the unknown is solved for, 0 where it is held at 0. */
  mask: Uint8Array;
  width: number;
  height: number;
}

/** A cell is inside when any field pixel it covers is, so the coarse support covers the whole silhouette. */
function downsampleInside(field: SignedField, factor: number): Level {
  const width = Math.ceil(field.width / factor);
  const height = Math.ceil(field.height / factor);
  const mask = scratchUint8(width * height);
  for (let y = 0; y < field.height; y++) {
    const row = Math.floor(y / factor) * width;
    for (let x = 0; x < field.width; x++) {
      if (field.values[y * field.width + x]! > 0) mask[row + Math.floor(x / factor)] = 1;
    }
  }
  return { mask, width, height };
}

function halveLevel(level: Level): Level {
  const width = Math.ceil(level.width / 2);
  const height = Math.ceil(level.height / 2);
  const mask = scratchUint8(width * height);
  for (let y = 0; y < level.height; y++) {
    for (let x = 0; x < level.width; x++) {
      if (level.mask[y * level.width + x] === 1) mask[(y >> 1) * width + (x >> 1)] = 1;
    }
  }
  return { mask, width, height };
}

/** Nearest-neighbour prolongation; f scales with length², so values are ×4 on a grid twice as fine. */
function prolong(coarse: Float32Array, from: Level, to: Level): Float32Array {
  const fine = scratchFloat32(to.mask.length);
  for (let y = 0; y < to.height; y++) {
    for (let x = 0; x < to.width; x++) {
      const index = y * to.width + x;
      if (to.mask[index] === 1) fine[index] = 4 * coarse[(y >> 1) * from.width + (x >> 1)]!;
    }
  }
  return fine;
}

/** Red-black successive over-relaxation of (Σ neighbours − 4f) = −4; outside cells and the frame stay 0. */
function relax(f: Float32Array, level: Level, iterations: number): void {
  const { mask, width, height } = level;
  for (let iteration = 0; iteration < iterations; iteration++) {
    for (let colour = 0; colour < 2; colour++) {
      for (let y = 1; y < height - 1; y++) {
        for (let x = 1 + ((y + colour) & 1); x < width - 1; x += 2) {
          const i = y * width + x;
          if (mask[i] === 0) continue;
          const target = (f[i - 1]! + f[i + 1]! + f[i - width]! + f[i + width]! + 4) / 4;
          f[i] = f[i]! + OVER_RELAXATION * (target - f[i]!);
        }
      }
    }
  }
}

/** h = √f in field pixels, bilinear from the solve grid, kept only inside the silhouette. */
function upsampleHeight(f: Float32Array, level: Level, field: SignedField, factor: number): Float32Array {
  const root = scaledRoots(f, factor);
  const heights = scratchFloat32(field.values.length);
  for (let y = 0; y < field.height; y++) {
    for (let x = 0; x < field.width; x++) {
      const index = y * field.width + x;
      if (field.values[index]! <= 0) continue;
      heights[index] = sampleBilinear(root, level.width, level.height, (x + 0.5) / factor - 0.5, (y + 0.5) / factor - 0.5);
    }
  }
  return heights;
}

function scaledRoots(f: Float32Array, factor: number): Float32Array {
  const roots = uninitialisedFloat32(f.length);
  for (let i = 0; i < f.length; i++) roots[i] = Math.sqrt(Math.max(0, f[i]!)) * factor;
  return roots;
}
