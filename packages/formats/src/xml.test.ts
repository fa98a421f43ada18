import { describe, expect, it } from 'vitest';

import { escapeXml, formatNumber } from './write/xml.js';

describe('formatNumber', () => {
  it('rounds to the decimals and drops trailing zeros, as toFixed would', () => {
    for (const [value, decimals, text] of [
      [12.5, 4, '12.5'],
      [-0.00004, 4, '0'],
      [-0.00006, 4, '-0.0001'],
      [0.000123456, 6, '0.000123'],
      [-1.23456789, 6, '-1.234568'],
      [100, 4, '100'],
      [9999.99999, 4, '10000'],
      [0.1, 6, '0.1'],
    ] as const) {
      expect(formatNumber(value, decimals), `${value}`).toBe(text);
    }
    for (let i = 0; i < 2000; i++) {
      const value = (Math.sin(i) * 1000) / (i + 1);
      expect(Number(formatNumber(value, 6))).toBe(Number(value.toFixed(6)));
    }
  });
});

describe('escapeXml', () => {
  it('escapes the five special characters and drops those XML forbids', () => {
    expect(escapeXml(`a&b<c>d"e'f\u0001g`)).toBe('a&#38;b&#60;c&#62;d&#34;e&#39;fg');
  });
});
