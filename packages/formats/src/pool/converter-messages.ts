import type { ConvertOptions } from '../convert-model.js';
import type { ReportOptions } from '../report/print-report.js';

/** What the main thread asks a converter worker: the GLB (transferred) and what to make of it. */
export type ConvertRequest = { kind: 'convert'; glb: Uint8Array; options: ConvertOptions } | { kind: 'report'; glb: Uint8Array; options: ReportOptions };
