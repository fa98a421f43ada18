// @ts-check
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

/**
 * The packages as layers. An arrow means "may import": apps → api → core, mesh → core, the client
 * → api's types only, the web app → client and core's browser-safe entries. Test helpers
 * (`@image2model/testing`) and the FAL emulator are for tests, bench and dev tools only.
 */
const ELEMENTS = [
  { type: 'core', pattern: 'packages/core/**', partialMatch: false },
  { type: 'mesh', pattern: 'packages/mesh/**', partialMatch: false },
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

/** What each layer's production code may import besides itself (tests are allowed more, below). */
const LAYERS = {
  core: [],
  mesh: ['core'],
  api: ['core'],
  client: ['api'],
  'fal-emulator': ['mesh', 'core'],
  server: ['api', 'core', 'mesh', 'fal-emulator'],
  web: ['client', 'core'],
  testing: ['core', 'server', 'fal-emulator'],
  bench: ['core', 'mesh', 'api', 'client', 'server', 'fal-emulator', 'testing'],
  'repo-tests': ['core', 'mesh', 'api', 'client', 'server', 'testing'],
  scripts: ['core', 'mesh', 'api', 'client', 'server', 'testing'],
};

/** `../../packages/x/src/…`: another package's private inside. */
const OTHER_PACKAGES_SRC = { regex: '^(\\.\\./)+(packages|apps)/[^/]+/src/', message: "Import the package by name (its exports), not another package's src/." };

const TEST_FILES = ['**/*.test.ts', '**/*.test.tsx', '**/*.check.ts', '**/test/**', '**/test-support/**', 'packages/core/src/testing/**', 'packages/testing/**'];

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
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: Object.entries(LAYERS).map(([type, allowed]) => ({
            from: { element: { type } },
            allow: { to: { element: { types: { anyOf: [type, ...allowed] } } } },
          })),
        },
      ],
      // Another package's src/ is its private inside: go through its package name and exports.
      'no-restricted-imports': ['error', { patterns: [OTHER_PACKAGES_SRC] }],
      // Configuration is read in one place per process (apps/server/src/env.ts), so it is checked once.
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration in apps/server/src/env.ts (parseEnv) and pass it down.' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // The client is published: it may know the API's types, never load its code.
    files: ['packages/client/src/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@image2model/api', allowTypeImports: true, message: 'The published client imports only types from @image2model/api.' }],
          patterns: [OTHER_PACKAGES_SRC],
        },
      ],
    },
  },
  {
    // Tests (the soak among them), test helpers, benchmarks and scripts are not the service: they set
    // up servers with their own environment, and tests may reach any layer they exercise.
    files: [...TEST_FILES, 'bench/**', 'scripts/**', 'apps/server/src/env.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: TEST_FILES,
    rules: { 'boundaries/dependencies': 'off' },
  },
);
