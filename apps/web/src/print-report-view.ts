import type { PrintReport } from '@image2model/client';

const STATUS_TEXT: Record<PrintReport['verdict'], string> = { printable: 'Printable', repairable: 'Repairable', not_printable: 'Not printable' };

const mm = (value: number): string => value.toFixed(1);

/**
 * The print-readiness panel beside the viewer: the verdict and its reasons first, then what it
 * rests on (watertight, size in mm, volume). `text` alone shows a message instead (loading, an error).
 */
export function showPrintReport(panel: HTMLElement, content: PrintReport | { text: string }): void {
  const verdict = panel.querySelector<HTMLElement>('.verdict')!;
  const reasons = panel.querySelector<HTMLUListElement>('.reasons')!;
  const facts = panel.querySelector<HTMLDListElement>('.facts')!;
  reasons.replaceChildren();
  facts.replaceChildren();
  if ('text' in content) {
    verdict.textContent = content.text;
    delete verdict.dataset.status;
    return;
  }
  const report = content;
  verdict.textContent = STATUS_TEXT[report.verdict];
  verdict.dataset.status = report.verdict;
  for (const reason of report.verdict_reasons) {
    const item = document.createElement('li');
    item.textContent = reason;
    reasons.append(item);
  }
  const { x, y, z } = report.bbox_mm;
  const rows: [string, string][] = [
    ['Watertight', report.watertight ? 'Yes' : `No: ${report.boundary_edges} open edges`],
    ['Size', `${mm(x)} × ${mm(y)} × ${mm(z)} mm`],
    ['Volume', report.volume_mm3 === null ? 'None (not a closed solid)' : `${(report.volume_mm3 / 1000).toFixed(2)} cm³`],
    ['Manifold', report.manifold ? 'Yes' : `No: ${report.non_manifold_edges} bad edges`],
    ['Self-intersections', String(report.self_intersections)],
  ];
  for (const [term, value] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = value;
    facts.append(dt, dd);
  }
}
