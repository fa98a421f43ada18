import { describe, expect, it } from 'vitest';
import { canonicalJson, requestFingerprint } from './fingerprint.js';

describe('requestFingerprint', () => {
  it('is the same for equal inputs whatever their key order, and omits undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe('{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
    expect(requestFingerprint('models.generateSingle', { job_id: 'j', face_limit: 5 })).toBe(requestFingerprint('models.generateSingle', { face_limit: 5, job_id: 'j' }));
  });

  it('differs with the operation, a value, or the order of a list', () => {
    const base = requestFingerprint('upload.batch', { files: ['a', 'b'] });
    expect(requestFingerprint('models.generateSingle', { files: ['a', 'b'] })).not.toBe(base);
    expect(requestFingerprint('upload.batch', { files: ['b', 'a'] })).not.toBe(base);
    expect(requestFingerprint('upload.batch', { files: ['a', 'b'], face_limit: 5 })).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});
