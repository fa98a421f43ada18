import { readerProcedure } from '../../trpc.js';
import { accessFor } from '../../wire.js';
import { PrintReportInputSchema, PrintReportSchema } from './print-report.types.js';

export const printReport = readerProcedure
  .meta({
    openapi: {
      method: 'GET',
      path: '/download/{job_id}/{file_id}/report',
      tags: ['download'],
      summary: "A model's print-readiness report",
      description:
        "Measures the model as the STL and 3MF downloads print it (welded by position, Z up, millimetres, at `height_mm`): watertight, manifold, shells, genus, volume, surface area, bounding box, self-intersections, and a plain-language verdict (`printable`, `repairable` with what to do, `not_printable` with why). An open or non-manifold model still gets a report (`volume_mm3` and `genus` null). Computed on the server's converter threads; at the default size computed once and stored beside the model (deleted with the job), at another `height_mm` computed per request. The same key or `session_id` rules as the model download; 404 until the file is completed, and when only the provider's copy of the model exists; 400 VALIDATION_ERROR for a `height_mm` out of range. docs/formats.md, \"Print readiness\".",
      protect: true,
    },
  })
  .input(PrintReportInputSchema)
  .output(PrintReportSchema)
  .query(({ ctx, input }) =>
    ctx.services.jobs.printReport(input.job_id, input.file_id, accessFor(ctx, input.session_id), input.height_mm !== undefined ? { heightMm: input.height_mm } : {}),
  );
