import { describe, expect, it } from 'vitest';
import superjson from 'superjson';
import { isJsonNative } from './trpc-fast-query.js';

describe('isJsonNative', () => {
  const cases: [string, unknown][] = [
    ['a status object', { job_id: 'j', files: [{ progress: 50, model_url: null, ok: true, tags: ['a'] }] }],
    ['nested arrays', [[1, [2, [3]]], {}]],
    ['a Date', { at: new Date(0) }],
    ['undefined in an object', { a: undefined }],
    ['undefined in an array', [1, undefined]],
    ['NaN', { n: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['-0', { z: -0 }],
    ['a bigint', { b: 1n }],
    ['a Map', new Map([['a', 1]])],
    ['a Set inside', { s: new Set([1]) }],
    ['a class instance', { e: new Error('x') }],
    ['a RegExp', /x/],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1 })],

  ];

  it.each(cases)('agrees with superjson on %s', (_name, value) => {
    const serialized = superjson.serialize(value);
    expect(isJsonNative(value)).toBe(serialized.meta === undefined);
  });

  // Safe side: superjson also handles these without meta, but walking them is not worth it.
  it.each([
    // eslint-disable-next-line no-sparse-arrays -- a hole is the case under test
    ['a sparse array', [1, , 3]],
    ['a function', { f: () => 1 }],
  ])('leaves %s to superjson', (_name, value) => {
    expect(isJsonNative(value)).toBe(false);
  });

  it('leaves values deeper than it walks to superjson', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100; i += 1) deep = [deep];
    expect(isJsonNative(deep)).toBe(false);
    expect(isJsonNative([[['leaf']]])).toBe(true);
  });
});
