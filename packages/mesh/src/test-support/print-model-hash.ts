import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { generateModel } from '../generate-model.js';
import type { InflationMethod } from '../generate-options.js';

/**
 * `node dist/test-support/print-model-hash.js <photo> <face_limit> [method]` prints the SHA-256 of
 * the GLB generated from the photo: determinism.int.test.ts runs it in fresh processes.
 */
const [photoPath, faceLimit, method = 'puffball'] = process.argv.slice(2);
if (!photoPath || !faceLimit) throw new Error('usage: print-model-hash <photo> <face_limit> [method]');
const { glb } = await generateModel(await readFile(photoPath), { face_limit: Number(faceLimit), method: method as InflationMethod });
process.stdout.write(`${createHash('sha256').update(glb).digest('hex')}\n`);
