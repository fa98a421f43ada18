import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Access, CompletedModel, JobService } from '@image2model/core';
import { MODEL_FORMAT_FILES, type ModelFormat } from '@image2model/core/limits';
import { unzipSync } from 'fflate';
import { createNameDeduper, safeStem } from './file-names.js';

/** One file of the batch ZIP: a stream (read as it is written) or bytes in hand. */
export interface ZipEntry {
  name: string;
  source: Readable | Buffer;
}

/**
 * Where each model goes in the batch ZIP: `<name>.<ext>` (safe, case-insensitively unique), or for
 * OBJ a folder `<name>/` holding its .obj, .mtl and texture (no ZIP inside the ZIP). `model` is
 * the path the manifest names.
 */
export function zipLayout(models: CompletedModel[], format: ModelFormat): Map<string, { stem: string; model: string }> {
  const unique = createNameDeduper();
  return new Map(
    models.map((m) => {
      const stem = safeStem(m.filename, m.file_id);
      if (format === 'obj') {
        const folder = unique(stem, '');
        return [m.file_id, { stem: folder, model: `${folder}/model.obj` }];
      }
      const name = unique(stem, MODEL_FORMAT_FILES[format].extension);
      return [m.file_id, { stem: name, model: name }];
    }),
  );
}

/** The batch's entries one model at a time: a conversion starts only when the previous entry is written. */
export async function* zipEntries(input: {
  jobs: JobService;
  jobId: string;
  access: Access;
  format: ModelFormat;
  models: CompletedModel[];
  layout: Map<string, { stem: string; model: string }>;
}): AsyncGenerator<ZipEntry> {
  const { jobs, jobId, access, format, layout } = input;
  for (const model of input.models) {
    const place = layout.get(model.file_id) ?? { stem: model.file_id, model: model.file_id };
    if (format === 'glb') {
      yield { name: place.model, source: jobs.openBlob(model.model_key) };
      continue;
    }
    const converted = await jobs.openConvertedModel(jobId, model.file_id, access, { format });
    if (format !== 'obj') {
      yield { name: place.model, source: converted.stream };
      continue;
    }
    // The stored OBJ download is a ZIP of its own: its files go into the model's folder instead.
    const files = unzipSync(new Uint8Array(await buffer(converted.stream)));
    for (const [name, bytes] of Object.entries(files)) yield { name: `${place.stem}/${name}`, source: Buffer.from(bytes) };
  }
}
