import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.dirname(fileURLToPath(import.meta.url));
/** Packages only some deployments need: loading them costs every start-up (cold start). */
const HEAVY = ['@fal-ai/client', 'ioredis', 'bullmq', '@aws-sdk/client-s3', '@aws-sdk/lib-storage'];

/**
 * Every package and own module (path relative to src) an entry point loads when imported: its static
 * imports as the build emits them (type-only imports erased), followed through our own modules;
 * dynamic `import()` is not followed.
 */
async function staticallyLoaded(entry: string): Promise<{ packages: Set<string>; modules: Set<string> }> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = await readFile(file, 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023, verbatimModuleSyntax: true },
      fileName: file,
    });
    for (const [, specifier] of outputText.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm)) {
      if (!specifier) continue;
      if (specifier.startsWith('.')) await visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  await visit(path.join(SRC, entry));
  const modules = new Set([...seen].map((file) => path.relative(SRC, file).split(path.sep).join('/')));
  return { packages, modules };
}

async function staticallyLoadedPackages(entry: string): Promise<Set<string>> {
  return (await staticallyLoaded(entry)).packages;
}

describe('entry points', () => {
  it('@image2model/core loads neither the FAL client nor Redis, BullMQ or the AWS SDK', async () => {
    const loaded = await staticallyLoadedPackages('index.ts');
    expect(HEAVY.filter((name) => loaded.has(name))).toEqual([]);
    expect(loaded).toContain('node:fs/promises'); // the walk does see real imports
  });

  it('@image2model/core/distributed is where Redis and BullMQ load', async () => {
    const loaded = await staticallyLoadedPackages('distributed.ts');
    expect(['ioredis', 'bullmq'].filter((name) => loaded.has(name))).toEqual(['bullmq']);
  });

  it('@image2model/core/s3 is where the AWS SDK loads, and only there', async () => {
    const s3 = await staticallyLoadedPackages('s3.ts');
    expect(['@aws-sdk/client-s3', '@aws-sdk/lib-storage'].filter((name) => s3.has(name))).toEqual(['@aws-sdk/client-s3', '@aws-sdk/lib-storage']);
    const distributed = await staticallyLoadedPackages('distributed.ts');
    expect([...distributed].filter((name) => name.startsWith('@aws-sdk/'))).toEqual([]);
  });

  it('@image2model/core loads no test double: those live behind @image2model/core/testing', async () => {
    const { modules } = await staticallyLoaded('index.ts');
    expect([...modules].filter((file) => file.startsWith('testing/'))).toEqual([]);
    expect(modules).toContain('errors.ts'); // the walk does follow our own modules
    expect((await staticallyLoaded('testing/index.ts')).modules).toContain('testing/fake-model-provider.ts');
  });

  it('@image2model/core/limits loads nothing at all, so the browser bundle and mesh can take it', async () => {
    expect([...(await staticallyLoadedPackages('limits.ts'))]).toEqual([]);
  });
});
