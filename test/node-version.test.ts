import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript on purpose (it runs before anything is installed); no declarations
import { nodeVersionProblem } from '../scripts/check-node-version.mjs';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const check = nodeVersionProblem as (version: string, range: string) => string | null;
const rootEngines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;

describe('the Node version check', () => {
  it('refuses a Node older than engines.node, naming both versions and what to do', () => {
    expect(check('20.18.3', '>=20.19')).toBe(
      'Image2Model needs Node 20.19 or newer; this is Node 20.18.3. Install a newer Node (https://nodejs.org, or `nvm install 22`) and run the command again.',
    );
    expect(check('v18.20.4', '>=20.19')).toContain('this is Node 18.20.4');
    expect(check('20.9.0', '>=20.19')).not.toBeNull(); // 9 < 19 as numbers, not as text
  });

  it('accepts the minimum and anything newer', () => {
    for (const version of ['20.19.0', '20.20.2', '21.0.0', '22.12.0', 'v24.1.0']) expect(check(version, '>=20.19')).toBeNull();
  });

  it('runs before install, start and the worker start', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    for (const name of ['preinstall', 'prestart', 'prestart:worker']) expect(scripts[name]).toMatch(/^node scripts\/check-node-version\.mjs( &&|$)/);
  });

  it('says the same version everywhere: engines of every package, the README and the client README', () => {
    expect(rootEngines).toBe('>=20.19');
    expect((JSON.parse(read('packages/client/package.json')) as { engines: { node: string } }).engines.node).toBe(rootEngines);
    const minimum = rootEngines.replace('>=', '');
    for (const doc of ['README.md', 'packages/client/README.md']) {
      const mentions = read(doc).match(/Node \d+(\.\d+)*\+?( or newer)?/g) ?? [];
      expect(mentions.length, doc).toBeGreaterThan(0);
      for (const mention of mentions) expect(mention, doc).toBe(`Node ${minimum} or newer`);
    }
  });
});
