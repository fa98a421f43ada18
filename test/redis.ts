/**
 * The shared Redis test helpers (availability that FAILS in CI and skips locally, a prefix per
 * test, cleanup, private redis-servers). They live in core's testing folder so core's own tests
 * typecheck against them; every other test imports them from here.
 */
export * from '../packages/core/src/testing/redis.js';
