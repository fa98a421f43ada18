/**
 * `node bench/dist/tools/profile-summary.js <file.cpuprofile> [top] [name,name…]`: where a
 * `--cpu-prof` profile spent its time, by self time per function and per package, and the
 * inclusive time (self + callees) of the named functions: a text flame-graph summary.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** `express`, `@trpc/server`, `core` (our packages), `node:internal`, … from a script URL. */
function packageOf(url: string): string {
  if (url === '') return '(native / idle / gc)';
  if (url.startsWith('node:')) return 'node:internal';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules?.[1]) return modules[1];
  const ours = /\/(packages|apps)\/([^/]+)\//.exec(url);
  if (ours?.[2]) return `@image2model/${ours[2]}`;
  if (url.includes('/bench/')) return 'bench';
  return url;
}

const [file, topArg, namesArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);

const functions = new Map<string, number>();
const packages = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const node = byId.get(id);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^.*\/(node_modules|packages|apps|bench)\//, '$1/')}:${lineNumber + 1}` : '';
  const key = `${functionName || '(anonymous)'} ${where}`.trim();
  functions.set(key, (functions.get(key) ?? 0) + ms);
  packages.set(packageOf(url), (packages.get(packageOf(url)) ?? 0) + ms);
}

// Inclusive time of chosen functions: each sample counts once per name on its stack.
const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
const names = new Set((namesArg ?? '').split(',').filter((n) => n !== ''));
const inclusive = new Map<string, number>();
if (names.size > 0) {
  profile.samples.forEach((id, i) => {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const name = byId.get(at)?.callFrame.functionName ?? '';
      if (names.has(name)) seen.add(name);
    }
    for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
}

const top = Number(topArg ?? 25);
const print = (title: string, entries: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, ms] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((100 * ms) / total).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${name}\n`);
  }
};
process.stdout.write(`${file}: ${total.toFixed(0)} ms sampled\n`);
print('self time by package', packages);
print('self time by function', functions);
if (names.size > 0) print('inclusive time of the named functions', inclusive);
