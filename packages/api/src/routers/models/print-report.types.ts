import { z } from 'zod';
import { DEFAULT_PRINT_MAX_SIDE_MM, MAX_HEIGHT_MM, MIN_HEIGHT_MM } from '@image2model/core/limits';
import { PRINT_STATUSES, SELF_INTERSECTION_COUNT_LIMIT, type PrintReport } from '@image2model/core/print-report';
import { FileIdSchema, JobIdSchema, SessionIdSchema } from '../../schemas.js';

export const PrintReportInputSchema = z.object({
  job_id: JobIdSchema,
  file_id: FileIdSchema,
  session_id: SessionIdSchema.optional(),
  // A query parameter: trpc-to-openapi coerces it from its string (as jobs' `limit`).
  height_mm: z
    .number()
    .min(MIN_HEIGHT_MM)
    .max(MAX_HEIGHT_MM)
    .optional()
    .meta({ description: `The model's height in the print, in millimetres (${MIN_HEIGHT_MM}–${MAX_HEIGHT_MM}), as for the STL and 3MF downloads. Default: the model's own size with its longest side capped at ${DEFAULT_PRINT_MAX_SIDE_MM} mm` }),
});

const count = (description: string) => z.int().min(0).meta({ description });

export const PrintReportSchema = z
  .object({
    watertight: z.boolean().meta({ description: 'No boundary edges: every edge has a face on both sides' }),
    boundary_edges: count('Edges with a face on one side only (the rims of holes)'),
    manifold: z.boolean().meta({ description: 'Every edge is shared by exactly two faces, wound consistently (opposite directions)' }),
    non_manifold_edges: count('Edges shared by three or more faces, or by two faces wound the same way'),
    shells: count('Connected pieces of surface'),
    genus: z.int().nullable().meta({ description: 'Handles (through-holes) summed over the shells: 0 for a ball, 1 for a mug; null unless closed and manifold' }),
    volume_mm3: z.number().nullable().meta({ description: 'Enclosed volume, overlapping shells counted once; null unless closed and manifold' }),
    surface_area_mm2: z.number().min(0),
    bbox_mm: z.object({ x: z.number(), y: z.number(), z: z.number() }).meta({ description: 'Bounding box of the print: Z up, millimetres, as the STL and 3MF are written' }),
    self_intersections: count(`Pairs of triangles that cut through each other (not neighbours, not coplanar); 0 for a clean model; counting stops at ${SELF_INTERSECTION_COUNT_LIMIT}`),
    triangles: count('Triangles after welding by position (what the STL and 3MF hold)'),
    verdict: z.enum(PRINT_STATUSES).meta({ description: '`printable` as is; `repairable` by a slicer or mesh repair (`verdict_reasons` say which); `not_printable` (`verdict_reasons` say why)' }),
    verdict_reasons: z.array(z.string()).meta({ description: 'Plain-language sentences: what is wrong and what to do, then notes; empty when printable with nothing to note' }),
  })
  .meta({ id: 'PrintReport' }) satisfies z.ZodType<PrintReport>;
