import { defineConfig } from 'vitest/config';

// Two projects, so `npm run test:unit` (the unit project) gives a quick answer and `npm test` (both)
// still runs every test once. A unit test starts no server, Redis, child process or browser: a test
// that needs one is named *.int.test.ts (or lives in apps/*/test/), which puts it in the int project.
export default defineConfig({
  test: {
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', '**/dist/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['packages/*/src/**/*.int.test.ts', 'apps/*/src/**/*.int.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.int.test.ts'],
        },
      },
    ],
  },
});
