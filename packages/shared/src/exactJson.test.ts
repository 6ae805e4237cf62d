import { describe, expect, it } from 'vitest';
import { firstInexactNumber, inexactNumberError } from './exactJson.js';

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

describe('inexactNumberError', () => {
  const send = (number: string) => `; send it as a string ("${number}")`;
  it.each([
    [
      '9007199254740993',
      'cannot be read exactly from JSON, which keeps about 16 significant digits',
    ],
    [
      '0.10000000000000000001',
      'cannot be read exactly from JSON, which keeps about 16 significant digits',
    ],
    [
      '1e400',
      'is too large to be read exactly as a JSON number: JSON numbers past about 1.8 × 10^308 are read as Infinity',
    ],
    [
      '-1E+400',
      'is too large to be read exactly as a JSON number: JSON numbers past about -1.8 × 10^308 are read as -Infinity',
    ],
    [
      '2e-1000',
      'is too small to be read exactly as a JSON number: JSON numbers closer to 0 than about 2.5 × 10^-324 are read as 0',
    ],
    [
      '-1e-400',
      'is too small to be read exactly as a JSON number: JSON numbers closer to 0 than about 2.5 × 10^-324 are read as 0',
    ],
    [
      '1.2345678901234567e-310',
      'is too small to be read exactly as a JSON number: JSON numbers closer to 0 than about 2.2 × 10^-308 keep fewer than 16 significant digits (this one would be read as 1.23456789012346e-310)',
    ],
  ])('names what JSON loses of %s', (number, reason) => {
    const error = inexactNumberError(number);
    expect(error.message).toBe(`The number ${number} ${reason}${send(number)}`);
    expect(error.extensions['code']).toBe('BAD_USER_INPUT');
  });
});
