/**
 * @image2model/formats — one job: a GLB in, the formats its users need out (STL and 3MF for
 * printing, OBJ+MTL+texture and PLY for DCC tools, USDZ for AR on iPhones), offline, on worker
 * threads; and the print-readiness report of a model. docs/formats.md has the units, axes,
 * packaging rules and what the report measures.
 */
export { readModel } from './read/read-model.js';
export { textureExtension, type ModelMesh, type ModelTexture } from './model-mesh.js';
export { DEFAULT_WELD_TOLERANCE_METRES, weldByPosition, type WeldedMesh } from './weld.js';
export { toPrintFrame } from './print-frame.js';
export { writeStl } from './write/write-stl.js';
export { write3mf } from './write/write-3mf.js';
export { writeObjFiles, writeObjZip } from './write/write-obj.js';
export { writePly } from './write/write-ply.js';
export { writeUsdz } from './write/write-usdz.js';
export { USDZ_ALIGNMENT } from './write/zip.js';
export { convertModel, type ConvertedFormat, type ConvertOptions } from './convert-model.js';
export { printReport, reportModel, type ReportOptions } from './report/print-report.js';
export type { PrintReport, PrintVerdict } from '@image2model/core/print-report';
export { createConverterPool, type ConverterPool } from './pool/create-converter-pool.js';
