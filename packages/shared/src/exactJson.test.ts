import { describe, expect, it } from 'vitest';
import { firstInexactNumber } from './exactJson.js';

describe('firstInexactNumber', () => {
  it.each([
    '{"a": 1.0, "b": 1E+2, "c": -0, "d": 0.1, "e": 5e-324, "f": 9007199254740991}',
    '{"a": 1.000000000000000000000, "b": 100000000000000000000, "c": 0.0000000000000000000001}',
    '{"digits in a string": "9007199254740993", "escaped \\" quote": "0.10000000000000000001"}',
    '{"not JSON": 9007199254740993',
  ])('finds none in %s', (json) => {
    expect(firstInexactNumber(json)).toBeUndefined();
  });

  it.each([
    ['{"e": -9007199254740993}', '-9007199254740993'],
    ['{"list": [1, 2, 0.30000000000000001]}', '0.30000000000000001'],
    ['{"big": 100000000000000000001}', '100000000000000000001'],
    ['{"far": 1e400}', '1e400'],
    ['{"tiny": 1E-400}', '1E-400'],
  ])('finds the first in %s', (json, number) => {
    expect(firstInexactNumber(json)).toBe(number);
  });
});
