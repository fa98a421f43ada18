import type { ModelMesh } from '../model-mesh.js';

/** An axis-aligned box from `min` to `max` (metres, glTF frame), faces wound outward, 8 shared corners. */
export function box(min: [number, number, number], max: [number, number, number]): ModelMesh {
  const positions: number[] = [];
  for (let i = 0; i < 8; i++) positions.push(i & 1 ? max[0] : min[0], i & 2 ? max[1] : min[1], i & 4 ? max[2] : min[2]);
  // Two counter-clockwise triangles per side, seen from outside.
  const quads = [
    [0, 2, 3, 1], // z = min
    [4, 5, 7, 6], // z = max
    [0, 1, 5, 4], // y = min
    [2, 6, 7, 3], // y = max
    [0, 4, 6, 2], // x = min
    [1, 3, 7, 5], // x = max
  ];
  const indices = quads.flatMap(([a, b, c, d]) => [a!, b!, c!, a!, c!, d!]);
  return { positions: new Float32Array(positions), indices: new Uint32Array(indices) };
}

/** Meshes side by side in one triangle list (as readModel merges a GLB's nodes). */
export function together(...meshes: ModelMesh[]): ModelMesh {
  const positions: number[] = [];
  const indices: number[] = [];
  for (const mesh of meshes) {
    const base = positions.length / 3;
    positions.push(...mesh.positions);
    indices.push(...Array.from(mesh.indices, (index) => index + base));
  }
  return { positions: new Float32Array(positions), indices: new Uint32Array(indices) };
}

/** A torus around Y (a mug's handle, in the simplest form): genus 1. */
export function torus(major: number, minor: number, segments = 48, rings = 24): ModelMesh {
  const positions: number[] = [];
  for (let r = 0; r < rings; r++) {
    const phi = (2 * Math.PI * r) / rings;
    for (let s = 0; s < segments; s++) {
      const theta = (2 * Math.PI * s) / segments;
      const radius = major + minor * Math.cos(phi);
      positions.push(radius * Math.cos(theta), minor * Math.sin(phi), -radius * Math.sin(theta));
    }
  }
  const at = (r: number, s: number): number => (r % rings) * segments + (s % segments);
  const indices: number[] = [];
  for (let r = 0; r < rings; r++) {
    for (let s = 0; s < segments; s++) indices.push(at(r, s), at(r, s + 1), at(r + 1, s + 1), at(r, s), at(r + 1, s + 1), at(r + 1, s));
  }
  return { positions: new Float32Array(positions), indices: new Uint32Array(indices) };
}

/** A UV sphere of `radius` around the origin, with single poles so it is closed. */
export function sphere(radius: number, segments = 96, rings = 48): ModelMesh {
  const positions: number[] = [0, radius, 0];
  for (let r = 1; r < rings; r++) {
    const theta = (r / rings) * Math.PI;
    for (let s = 0; s < segments; s++) {
      const phi = (s / segments) * 2 * Math.PI;
      positions.push(radius * Math.sin(theta) * Math.cos(phi), radius * Math.cos(theta), -radius * Math.sin(theta) * Math.sin(phi));
    }
  }
  positions.push(0, -radius, 0);
  const south = positions.length / 3 - 1;
  const at = (r: number, s: number): number => 1 + (r - 1) * segments + (s % segments);
  const indices: number[] = [];
  for (let s = 0; s < segments; s++) indices.push(0, at(1, s), at(1, s + 1));
  for (let r = 1; r < rings - 1; r++) {
    for (let s = 0; s < segments; s++) indices.push(at(r, s), at(r + 1, s), at(r + 1, s + 1), at(r, s), at(r + 1, s + 1), at(r, s + 1));
  }
  for (let s = 0; s < segments; s++) indices.push(at(rings - 1, s), south, at(rings - 1, s + 1));
  return { positions: new Float32Array(positions), indices: new Uint32Array(indices) };
}
