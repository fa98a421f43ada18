import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

describe('the generated API types', () => {
  it("are exactly AppRouter's inputs, outputs, errors and client (src/api-types.check.ts compiles)", { timeout: 120_000 }, async () => {
    const run = await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.check.json'], { cwd: root }).catch((error: { stdout?: string; code?: number }) => error);
    // A failure after a change to the API only means src/generated is stale: npm run build -w @image2model/client.
    expect((run as { stdout?: string }).stdout ?? '', 'tsc -p tsconfig.check.json').toBe('');
    expect((run as { code?: number }).code ?? 0).toBe(0);
  });
});
