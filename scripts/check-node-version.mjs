#!/usr/bin/env node
// Run first by `npm install`, `npm start` and `npm run start:worker` (see package.json): on an
// older Node the build or the server would fail later with an error that does not say why.
// Plain JavaScript with no imports beyond Node's own, so it runs before anything is installed or built.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** `20.19.0` → [20, 19, 0]; missing parts count 0. */
function parts(version) {
  const numbers = version.replace(/^v/, '').split('.').map((part) => Number.parseInt(part, 10));
  return [0, 1, 2].map((i) => (Number.isFinite(numbers[i]) ? numbers[i] : 0));
}

function older(version, minimum) {
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/**
 * What is wrong with this Node version for an `engines.node` range of the form `>=X.Y[.Z]` (the
 * only form this repository uses), or null when it is recent enough.
 */
export function nodeVersionProblem(version, range) {
  const match = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(range.trim());
  if (!match) throw new Error(`engines.node must read ">=X.Y.Z", not "${range}"`);
  const minimum = match[1];
  if (!older(version, minimum)) return null;
  return `Image2Model needs Node ${minimum} or newer; this is Node ${version.replace(/^v/, '')}. Install a newer Node (https://nodejs.org, or \`nvm install 22\`) and run the command again.`;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const { engines } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const problem = nodeVersionProblem(process.versions.node, engines.node);
  if (problem) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}
