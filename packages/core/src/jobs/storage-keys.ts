/** Where a job's bytes live in BlobStorage: everything of one job under one prefix. */
export const storageKeys = {
  job: (jobId: string) => `jobs/${jobId}`,
  upload: (jobId: string, fileId: string, format: string) => `jobs/${jobId}/uploads/${fileId}.${format}`,
  /** One view of a multiview file, beside the uploads of single photos. */
  view: (jobId: string, fileId: string, view: string, format: string) => `jobs/${jobId}/uploads/${fileId}.${view}.${format}`,
  /** A job's models, their conversions and print reports. */
  models: (jobId: string) => `jobs/${jobId}/models`,
  model: (jobId: string, fileId: string) => `jobs/${jobId}/models/${fileId}.glb`,
  /**
   * A model converted at the default size (`.stl`, `.obj.zip`…): beside the model, so it goes with
   * the job. Named by the file's generation, whose model it was made from: every generation writes
   * its model under the same key, so an older generation's conversion, even one finished late, is
   * never served for a newer model.
   */
  conversion: (jobId: string, fileId: string, generation: number, extension: string) => `${derivativePrefix(jobId, fileId)}${generation}${extension}`,
  /** A model's print-readiness report at the default size: beside the model and its conversions, named by generation like them. */
  printReport: (jobId: string, fileId: string, generation: number) => `${derivativePrefix(jobId, fileId)}${generation}.report.json`,
  preview: (jobId: string, fileId: string) => `jobs/${jobId}/previews/${fileId}.png`,
  /** The folders a job's blobs live in (photos, models, previews): deleted before its record. */
  contents: (jobId: string) => ['uploads', 'models', 'previews'].map((folder) => `jobs/${jobId}/${folder}`),
};

/** What every conversion and report of a file's model starts with, before its generation. */
export function derivativePrefix(jobId: string, fileId: string): string {
  return `${storageKeys.models(jobId)}/${fileId}.g`;
}

/** The upload's name without directories or extension, for download file names. */
export function fileStem(filename: string, fallback: string): string {
  const base = filename.split(/[/\\]/).pop() ?? '';
  const stem = base.replace(/\.[^.]*$/, '');
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const clean = stem.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return clean.length > 0 ? clean : fallback;
}
