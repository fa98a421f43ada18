import type { PrintReport } from '../../index.js';
import { EXIT, type CommandContext } from '../context.js';

export interface ReportCommandOptions {
  heightMm?: number;
  sessionId?: string;
}

const STATUS_TEXT: Record<PrintReport['verdict'], string> = { printable: 'Printable', repairable: 'Repairable', not_printable: 'Not printable' };

const mm = (value: number): string => value.toFixed(1);

/** The report as people read it: the verdict first, then what it rests on. */
export function formatReport(report: PrintReport): string {
  const { x, y, z } = report.bbox_mm;
  const lines = [
    `${STATUS_TEXT[report.verdict]}`,
    ...report.verdict_reasons.map((reason) => `  - ${reason}`),
    `Size         ${mm(x)} × ${mm(y)} × ${mm(z)} mm (X × Y × Z, Z up)`,
    `Volume       ${report.volume_mm3 === null ? 'none (not a closed solid)' : `${(report.volume_mm3 / 1000).toFixed(2)} cm³`}`,
    `Surface      ${(report.surface_area_mm2 / 100).toFixed(2)} cm²`,
    `Watertight   ${report.watertight ? 'yes' : `no (${report.boundary_edges} open edges)`}`,
    `Manifold     ${report.manifold ? 'yes' : `no (${report.non_manifold_edges} bad edges)`}`,
    `Shells       ${report.shells}${report.genus === null ? '' : `, genus ${report.genus}`}`,
    `Crossings    ${report.self_intersections} self-intersecting triangle pairs`,
    `Triangles    ${report.triangles}`,
  ];
  return lines.join('\n');
}

/** `image2model report <job> <file>`: one completed model's print-readiness report. */
export async function runReport(ctx: CommandContext, jobId: string, fileId: string, options: ReportCommandOptions): Promise<number> {
  if (!options.sessionId) ctx.requireApiKey();
  const report = await ctx.client.printReport(jobId, fileId, { heightMm: options.heightMm, sessionId: options.sessionId });
  ctx.result(formatReport(report), report);
  return EXIT.ok;
}
