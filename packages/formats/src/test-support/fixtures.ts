import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

import { makeDracoMultiNodeModel } from '@image2model/fal-emulator';
import { generateModel } from '@image2model/mesh';
import { mugWithShadow, starOnWhite } from '@image2model/testing/synthetic-photos';
import { DOMParser } from '@xmldom/xmldom';

const run = promisify(execFile);

/** The local generator's models: a mug (revolved, genus 1) and a star (inflated). */
export async function localModels(faceLimit = 4_000): Promise<{ mug: Uint8Array; star: Uint8Array }> {
  const [mug, star] = await Promise.all([mugWithShadow(256), starOnWhite(256)].map(async (photo) => (await generateModel(await photo, { face_limit: faceLimit })).glb));
  return { mug: mug!, star: star! };
}

/** A GLB as FAL sends them: Draco, two meshes on two nodes under a transformed root (the FAL emulator's maker). */
export async function dracoMultiNodeModel(): Promise<Uint8Array> {
  return (await makeDracoMultiNodeModel(await mugWithShadow(256), { face_limit: 4_000 })).model;
}

/** Runs a Debian reader (admesh, assimp) on the bytes written to a temporary file named `name`. */
export async function readWith(command: string, args: (file: string) => string[], files: Record<string, Uint8Array>, main: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'formats-'));
  try {
    for (const [name, bytes] of Object.entries(files)) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), bytes);
    }
    const { stdout, stderr } = await run(command, args(join(dir, main)), { maxBuffer: 64 * 1024 * 1024 });
    return `${stdout}\n${stderr}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `assimp info`'s counts and bounds. */
export function assimpSummary(output: string): { vertices: number; faces: number; min: number[]; max: number[] } {
  const number = (label: string): number => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(output)?.[1] ?? NaN);
  const point = (label: string): number[] => (new RegExp(`${label} point\\s+\\(([^)]*)\\)`).exec(output)?.[1] ?? '').split(/\s+/).map(Number);
  return { vertices: number('Vertices'), faces: number('Faces'), min: point('Minimum'), max: point('Maximum') };
}

/** Parses XML with xmldom, throwing on any error (not well-formed, undefined entity, …). */
export function parseStrictXml(text: string) {
  return new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new Error(`XML ${level}: ${message}`);
    },
  }).parseFromString(text, 'application/xml');
}

/**
 * three.js's 3MF loader parses XML with the browser's DOMParser: xmldom's here, failing on any XML
 * error, with the tag-name selectors (`a`, `a b`) the loader queries by.
 */
export function installStrictDomParser(): void {
  class StrictDomParser {
    parseFromString(text: string) {
      return parseStrictXml(text);
    }
  }
  (globalThis as { DOMParser?: unknown }).DOMParser = StrictDomParser;
  type Queryable = { getElementsByTagName(name: string): ArrayLike<Queryable>; parentNode: Queryable | null };
  const matches = (root: Queryable, selector: string): Queryable[] => {
    const tags = selector.trim().split(/\s+/);
    return Array.from(root.getElementsByTagName(tags.at(-1)!)).filter((element) => {
      let wanted = tags.length - 2;
      for (let parent = element.parentNode; parent && parent !== root && wanted >= 0; parent = parent.parentNode) {
        if ((parent as unknown as { nodeName: string }).nodeName === tags[wanted]) wanted--;
      }
      return wanted < 0;
    });
  };
  const prototypes = [new DOMParser().parseFromString('<a/>', 'application/xml')].flatMap((doc) => [Object.getPrototypeOf(doc), Object.getPrototypeOf(doc.documentElement)]);
  for (const prototype of prototypes) {
    prototype.querySelectorAll = function (this: Queryable, selector: string) {
      return matches(this, selector);
    };
    prototype.querySelector = function (this: Queryable, selector: string) {
      return matches(this, selector)[0] ?? null;
    };
  }
}

/** Every undirected edge of the triangles, with how many times each direction occurs. */
export function edgeUse(indices: Uint32Array): { boundary: number; nonManifold: number; inconsistent: number } {
  const uses = new Map<string, number>();
  for (let t = 0; t + 2 < indices.length; t += 3) {
    for (let c = 0; c < 3; c++) {
      const key = `${indices[t + c]}>${indices[t + ((c + 1) % 3)]}`;
      uses.set(key, (uses.get(key) ?? 0) + 1);
    }
  }
  let boundary = 0, nonManifold = 0, inconsistent = 0;
  for (const [key, count] of uses) {
    const [a, b] = key.split('>');
    const back = uses.get(`${b}>${a}`) ?? 0;
    if (count > 1) inconsistent++;
    if (back === 0) boundary++;
    else if (count + back > 2) nonManifold++;
  }
  return { boundary, nonManifold, inconsistent };
}
