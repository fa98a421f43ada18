// @ts-check
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

/**
 * The folders as layers. An arrow in LAYERS means "may import": apps → api → core,
 * mesh and formats → core's limits, worker pool and print-report type, the client → api's types only, the web app → the client and core's limits.
 * Test helpers (`@image2model/testing`) and the FAL emulator are for tests, bench and dev tools only.
 */
const ELEMENTS = [
  { type: 'core', pattern: 'packages/core/**', partialMatch: false },
  { type: 'mesh', pattern: 'packages/mesh/**', partialMatch: false },
  { type: 'formats', pattern: 'packages/formats/**', partialMatch: false },
  { type: 'api', pattern: 'packages/api/**', partialMatch: false },
  { type: 'client', pattern: 'packages/client/**', partialMatch: false },
  { type: 'fal-emulator', pattern: 'packages/fal-emulator/**', partialMatch: false },
  { type: 'testing', pattern: 'packages/testing/**', partialMatch: false },
  { type: 'server', pattern: 'apps/server/**', partialMatch: false },
  { type: 'web', pattern: 'apps/web/**', partialMatch: false },
  { type: 'bench', pattern: 'bench/**', partialMatch: false },
  { type: 'repo-tests', pattern: 'test/**', partialMatch: false },
  { type: 'scripts', pattern: 'scripts/**', partialMatch: false },
];

/** The workspace package (the root's for bench, test and scripts) whose folder holds each layer. */
const PACKAGES = [['core'], ['mesh'], ['formats'], ['api'], ['client'], ['fal-emulator'], ['testing'], ['server'], ['web'], ['bench', 'repo-tests', 'scripts']];

/** What each layer's production code may import besides itself (tests may import any layer). */
const LAYERS = {
  core: [],
  mesh: ['core'],
  formats: ['core'],
  api: ['core'],
  client: ['api'],
  'fal-emulator': ['mesh'],
  server: ['api', 'core', 'mesh', 'formats'],
  web: ['client', 'core'],
  testing: ['core', 'server', 'fal-emulator'],
  bench: ['core', 'mesh', 'formats', 'api', 'server', 'fal-emulator', 'testing'],
  'repo-tests': ['server', 'testing'],
  scripts: ['mesh', 'formats', 'testing'],
};

const element = (/** @type {string[]} */ types) => ({ element: { types: { anyOf: types } } });

/** Another package is reached by its name (its exports map), never by a path into its folder (src/, dist/). */
const NO_RELATIVE_IMPORT_OF_ANOTHER_PACKAGE = PACKAGES.map((types) => ({
  from: element(types),
  disallow: { to: { element: { types: { noneOf: types } } }, dependency: { source: '!@image2model/**' } },
  message: "Import another package by its name (its exports map), not by a relative path into its folder.",
}));

const PRODUCTION_POLICIES = [
  ...Object.entries(LAYERS).map(([type, allowed]) => ({
    from: element([type]),
    allow: { to: element([type, ...allowed]) },
  })),
  // The browser bundle and the worker threads of mesh and formats pull in nothing Node-only: core's
  // dependency-free entries only (the limits, the worker pool and the print-report type; for the web app the job-state rule).
  {
    from: element(['mesh', 'formats']),
    disallow: { to: element(['core']), dependency: { source: '!@image2model/core/{limits,worker-pool,print-report}' } },
    message: 'Only @image2model/core/limits, worker-pool and print-report (dependency-free) may be imported here.',
  },
  {
    from: element(['web']),
    disallow: { to: element(['core']), dependency: { source: '!@image2model/core/{limits,job-state}' } },
    message: 'Only @image2model/core/limits and @image2model/core/job-state (dependency-free) may be imported here.',
  },
  {
    // The client is published without the API's code: it may know its types, never load it.
    from: element(['client']),
    disallow: { to: element(['api']), dependency: { kind: 'value' } },
    message: 'The published client imports only types from @image2model/api (import type).',
  },
  {
    from: element(Object.keys(LAYERS)),
    disallow: { to: { element: { types: 'core', fileInternalPath: ['src/testing/**', 'dist/testing/**'] } } },
    message: "core's test doubles (@image2model/core/testing) are for tests only.",
  },
  ...NO_RELATIVE_IMPORT_OF_ANOTHER_PACKAGE,
];

const TEST_FILES = ['**/*.test.ts', '**/*.test.tsx', '**/*.check.ts', '**/test/**', '**/test-support/**', 'packages/core/src/testing/**', 'packages/testing/**'];

const PROCESS_ENV = 'Read configuration in apps/server/src/env.ts (parseEnv) and pass it down.';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', '.turbo/**', 'bench/results/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': ELEMENTS,
      'import/resolver': { typescript: { alwaysTryTypes: true, noWarnOnMultipleProjects: true, project: ['packages/*/tsconfig.json', 'apps/*/tsconfig.json', 'bench/tsconfig.json'] } },
    },
    rules: {
      // Layering, for relative and package imports alike (the resolver follows workspace links to
      // the package's own folder, so `@image2model/server` from core is caught as surely as
      // `../../../apps/server/src/x.js`).
      'boundaries/dependencies': ['error', { default: 'disallow', checkInternals: true, policies: PRODUCTION_POLICIES }],
      // Configuration is read in one place per process (apps/server/src/env.ts), so it is checked once.
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: PROCESS_ENV }],
      'no-restricted-imports': ['error', { paths: ['node:process', 'process'].map((name) => ({ name, importNames: ['env'], message: PROCESS_ENV })) }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // Tests (the soak among them), test helpers, benchmarks and scripts are not the service: they set
    // up servers with their own environment.
    files: [...TEST_FILES, 'bench/**', 'scripts/**', 'apps/server/src/env.ts'],
    rules: { 'no-restricted-properties': 'off', 'no-restricted-imports': 'off' },
  },
  {
    // Tests may reach any layer they exercise, through its package name like any other user.
    files: TEST_FILES,
    rules: { 'boundaries/dependencies': ['error', { default: 'allow', policies: NO_RELATIVE_IMPORT_OF_ANOTHER_PACKAGE }] },
  },
);
