import sharp from 'sharp';
import type { SoakResult } from './run-soak.js';
import type { Sample } from './sampler.js';

/** What the chart draws: the samples, where the load ended, and the window the slopes were fitted on (shaded). */
export type ChartInput = Pick<SoakResult, 'samples' | 'loadSeconds' | 'window' | 'rssSlopeMbPerMin' | 'fdSlopePerMin'>;

interface Panel {
  label: string;
  colour: string;
  value: (s: Sample) => number;
  /** Slope per minute of a fitted line to draw over the window. */
  fit?: number;
}

const WIDTH = 1200;
const PANEL_HEIGHT = 190;
const LEFT = 80;
const RIGHT = 30;
const LINE = 20;
const GAP = 40;

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A round step giving about `count` ticks up to `max`. */
function niceStep(max: number, count: number): number {
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
}

/** Where the first panel starts: below the heading lines and the first panel's label. */
const topOf = (heading: string[]) => 20 + heading.length * LINE + 30;

function drawPanel(panel: Panel, input: ChartInput, top: number, xMax: number): string {
  const { samples } = input;
  const values = samples.map(panel.value);
  const yStep = niceStep(Math.max(1, ...values) * 1.1, 4);
  const yMax = yStep * Math.ceil((Math.max(1, ...values) * 1.1) / yStep);
  const plotWidth = WIDTH - LEFT - RIGHT;
  const x = (t: number) => LEFT + (t / xMax) * plotWidth;
  const y = (v: number) => top + PANEL_HEIGHT - (v / yMax) * PANEL_HEIGHT;
  const parts: string[] = [];
  parts.push(`<rect x="${x(input.window.from)}" y="${top}" width="${x(input.window.to) - x(input.window.from)}" height="${PANEL_HEIGHT}" fill="#f1f4f8"/>`);
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(v)}" y2="${y(v)}" stroke="#dddddd"/>`);
    parts.push(`<text x="${LEFT - 8}" y="${y(v) + 4}" text-anchor="end" font-size="12">${Number(v.toPrecision(6))}</text>`);
  }
  parts.push(`<line x1="${x(input.loadSeconds)}" x2="${x(input.loadSeconds)}" y1="${top}" y2="${top + PANEL_HEIGHT}" stroke="#888888" stroke-dasharray="5,4"/>`);
  const points = samples.map((s) => `${x(s.t).toFixed(1)},${y(panel.value(s)).toFixed(1)}`).join(' ');
  parts.push(`<polyline points="${points}" fill="none" stroke="${panel.colour}" stroke-width="1.6"/>`);
  const fit = panel.fit;
  if (fit !== undefined) {
    // The least-squares line through the window, anchored at the window's mean so it sits on the data.
    const inWindow = samples.filter((s) => s.t >= input.window.from && s.t <= input.window.to);
    if (inWindow.length > 1) {
      const meanT = inWindow.reduce((sum, s) => sum + s.t, 0) / inWindow.length;
      const meanV = inWindow.reduce((sum, s) => sum + panel.value(s), 0) / inWindow.length;
      const at = (t: number) => meanV + ((t - meanT) * fit) / 60;
      parts.push(`<line x1="${x(input.window.from)}" y1="${y(at(input.window.from))}" x2="${x(input.window.to)}" y2="${y(at(input.window.to))}" stroke="#000000" stroke-width="2" stroke-dasharray="8,4"/>`);
    }
  }
  const fitText = fit === undefined ? '' : ` — fitted slope over the shaded second half of the load: ${fit.toFixed(2)}/min`;
  parts.push(`<text x="${LEFT}" y="${top - 8}" font-size="14" font-weight="bold">${escapeXml(panel.label + fitText)}</text>`);
  parts.push(`<rect x="${LEFT}" y="${top}" width="${plotWidth}" height="${PANEL_HEIGHT}" fill="none" stroke="#999999"/>`);
  return parts.join('\n');
}

/** The soak's series as an SVG under `heading` (a title, then figures): RSS, open fds, answers/s and jobs in flight, one panel each, on one time axis. */
function soakChartSvg(input: ChartInput, heading: string[]): string {
  const panels: Panel[] = [
    { label: 'Server RSS (MB)', colour: '#c0392b', value: (s) => s.rssMb, fit: input.rssSlopeMbPerMin },
    { label: 'Server open file descriptors', colour: '#2471a3', value: (s) => s.fds, fit: input.fdSlopePerMin },
    { label: 'Answers per second (all clients)', colour: '#1e8449', value: (s) => s.requestsPerSecond },
    { label: 'Jobs in flight (uploaded, not yet followed to done)', colour: '#7d3c98', value: (s) => s.inFlightJobs },
  ];
  const xMax = Math.max(input.loadSeconds, ...input.samples.map((s) => s.t));
  const top = topOf(heading);
  const height = top + panels.length * (PANEL_HEIGHT + GAP) + 30;
  const xStep = niceStep(xMax, 10);
  const axisY = top + panels.length * (PANEL_HEIGHT + GAP) - GAP + 18;
  const xTicks: string[] = [];
  for (let t = 0; t <= xMax; t += xStep) {
    xTicks.push(`<text x="${LEFT + (t / xMax) * (WIDTH - LEFT - RIGHT)}" y="${axisY}" text-anchor="middle" font-size="12">${t}</text>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="DejaVu Sans, sans-serif">
<rect width="100%" height="100%" fill="#ffffff"/>
${heading.map((line, i) => `<text x="${LEFT}" y="${26 + i * LINE}" font-size="${i === 0 ? 16 : 13}"${i === 0 ? ' font-weight="bold"' : ''}>${escapeXml(line)}</text>`).join('\n')}
${panels.map((panel, i) => drawPanel(panel, input, top + i * (PANEL_HEIGHT + GAP), xMax)).join('\n')}
${xTicks.join('\n')}
<text x="${WIDTH - RIGHT}" y="${axisY + 18}" text-anchor="end" font-size="12">seconds (dashed line: load ends, clients finish their last job)</text>
</svg>`;
}

/** The chart rasterised to PNG. */
export function soakChartPng(input: ChartInput, heading: string[]): Promise<Buffer> {
  return sharp(Buffer.from(soakChartSvg(input, heading))).png().toBuffer();
}
