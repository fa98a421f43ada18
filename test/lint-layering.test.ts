import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The layering rules of eslint.config.js, held against imports they must refuse and imports they
 * must let through: a policy that stops matching (a selector typo, a plugin upgrade) fails here
 * instead of silently letting every import pass.
 */
const eslint = new ESLint({ cwd: fileURLToPath(new URL('..', import.meta.url)) });

/** The messages ESLint gives for `code` as if it were the file at `path` (the file need not exist). */
async function problems(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const used = [x];\n`, { filePath: path });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

describe('the linter guards the layering', () => {
  it.each([
    ['core may not import api', 'packages/core/src/probe.ts', "import { appRouter as x } from '@image2model/api';", /no policy allowing .* "core" to .* "api"/],
    ['api may not import the server', 'packages/api/src/probe.ts', "import { startServer as x } from '@image2model/server';", /no policy allowing .* "api" to .* "server"/],
    ['the web app takes only core/limits', 'apps/web/src/probe.ts', "import { AppError as x } from '@image2model/core';", /Only @image2model\/core\/limits/],
    ['mesh takes only core/limits', 'packages/mesh/src/probe.ts', "import { AppError as x } from '@image2model/core';", /Only @image2model\/core\/limits/],
    ["mesh does not take core's job-state", 'packages/mesh/src/probe.ts', "import { deriveJobState as x } from '@image2model/core/job-state';", /Only @image2model\/core\/limits/],
    ['formats takes only core/limits, core/worker-pool and core/print-report', 'packages/formats/src/probe.ts', "import { AppError as x } from '@image2model/core';", /Only @image2model\/core\/limits/],
    ['formats does not take the generator', 'packages/formats/src/probe.ts', "import { generateModel as x } from '@image2model/mesh';", /no policy allowing .* "formats" to .* "mesh"/],
    ['the client loads no api code', 'packages/client/src/probe.ts', "import { appRouter as x } from '@image2model/api';", /only types from @image2model\/api/],
    ['production takes no test doubles', 'apps/server/src/probe.ts', "import { FakeModelProvider as x } from '@image2model/core/testing';", /for tests only/],
    ['production takes no test helpers', 'apps/server/src/probe.ts', "import { startTestServer as x } from '@image2model/testing/test-server';", /"server" to .* "testing"/],
    ["no path into another package's src/", 'packages/api/src/probe.ts', "import { AppError as x } from '../../core/src/errors.js';", /by its name/],
    ["tests included", 'apps/web/test/probe.test.ts', "import { parseEnv as x } from '../../server/src/env.js';", /by its name/],
    ['process.env only in env.ts', 'apps/server/src/probe.ts', 'const x = process.env.PORT;', /'process\.env' is restricted/],
    ["node:process's env likewise", 'apps/server/src/probe.ts', "import { env as x } from 'node:process';", /'env' import from 'node:process' is restricted/],
  ])('%s', async (_name, path, code, refusal) => {
    expect(await problems(path, code)).toEqual([expect.stringMatching(refusal)]);
  });

  it.each([
    ['the server imports api and core', 'apps/server/src/probe.ts', "import { appRouter } from '@image2model/api';\nimport { AppError } from '@image2model/core';\nconst x = [appRouter, AppError];"],
    ['the web app imports the client and core/limits', 'apps/web/src/probe.ts', "import { createImage2ModelClient } from '@image2model/client';\nimport { MAX_FACE_LIMIT } from '@image2model/core/limits';\nconst x = [createImage2ModelClient, MAX_FACE_LIMIT];"],
    ['formats imports the worker pool', 'packages/formats/src/probe.ts', "import { createWorkerPool } from '@image2model/core/worker-pool';\nconst x = [createWorkerPool];"],
    ['formats imports the print report type and its limit', 'packages/formats/src/probe.ts', "import { SELF_INTERSECTION_COUNT_LIMIT } from '@image2model/core/print-report';\nconst x = [SELF_INTERSECTION_COUNT_LIMIT];"],
    ["scripts read models with formats and draw them with mesh's renderer", 'scripts/probe.ts', "import { readModel } from '@image2model/formats';\nimport { renderPreview } from '@image2model/mesh/preview';\nconst x = [readModel, renderPreview];"],
    ["the web app imports core's job-state rule", 'apps/web/src/probe.ts', "import { deriveJobState } from '@image2model/core/job-state';\nconst x = [deriveJobState];"],
    ['the client imports api types', 'packages/client/src/probe.ts', "import type { AppRouter } from '@image2model/api';\nconst x: AppRouter | null = null;"],
    ['a test imports any package by name', 'packages/core/src/probe.test.ts', "import { startTestServer as x } from '@image2model/testing/test-server';"],
    ['env.ts reads process.env', 'apps/server/src/env.ts', 'const x = process.env.PORT;'],
  ])('lets through: %s', async (_name, path, code) => {
    expect(await problems(path, code)).toEqual([]);
  });
});
