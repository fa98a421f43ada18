import type { Request } from 'express';
import { AppError } from '@image2model/core';
import { MAX_HEIGHT_MM, MIN_HEIGHT_MM, MODEL_FORMATS, type ModelFormat } from '@image2model/core/limits';

/** Formats whose size `height_mm` sets (the others keep the model's own metres). */
const SCALED_FORMATS: readonly ModelFormat[] = ['stl', '3mf'];

/** `?format=`: absent means `glb`; anything else must be one of MODEL_FORMATS (400 lists them). */
export function formatOf(req: Request): ModelFormat {
  const value = req.query.format;
  if (value === undefined || value === '') return 'glb';
  const format = typeof value === 'string' ? value.toLowerCase() : null;
  if (format === null || !(MODEL_FORMATS as readonly string[]).includes(format)) {
    throw new AppError('VALIDATION_ERROR', `Unknown format: use one of ${MODEL_FORMATS.join(', ')}`, { details: { field: 'format', formats: [...MODEL_FORMATS] } });
  }
  return format as ModelFormat;
}

/** `?height_mm=`: a decimal number of millimetres within MIN_HEIGHT_MM–MAX_HEIGHT_MM, for STL and 3MF only. */
export function heightMmOf(req: Request, format: ModelFormat): number | undefined {
  const value = req.query.height_mm;
  if (value === undefined) return undefined;
  const invalid = (message: string): AppError => new AppError('VALIDATION_ERROR', message, { details: { field: 'height_mm', min: MIN_HEIGHT_MM, max: MAX_HEIGHT_MM } });
  if (!SCALED_FORMATS.includes(format)) throw invalid(`height_mm applies to ${SCALED_FORMATS.join(' and ')} only (the other formats keep the model's own size)`);
  const height = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(height >= MIN_HEIGHT_MM && height <= MAX_HEIGHT_MM)) throw invalid(`height_mm must be a number of millimetres from ${MIN_HEIGHT_MM} to ${MAX_HEIGHT_MM}`);
  return height;
}
