import { describe, expect, it } from 'vitest';
import {
  MAX_NUMERIC_LENGTH,
  NumericInputError,
  isInteger,
  parseNumeric,
  toBigInt,
  toCanonicalString,
  toNumber,
  toPlainString,
} from './numeric.js';

describe('parseNumeric', () => {
  it('keeps integers of any length exactly', () => {
    const value = parseNumeric('123456789012345678901234567890');
    expect(value).toEqual({ coefficient: 12345678901234567890123456789n, exponent: 1 });
    expect(toBigInt(value)).toBe(123456789012345678901234567890n);
  });

  it('reads decimals and exponents as coefficient · 10^exponent', () => {
    expect(parseNumeric('1.5')).toEqual({ coefficient: 15n, exponent: -1 });
    expect(parseNumeric('-12e3')).toEqual({ coefficient: -12n, exponent: 3 });
    expect(parseNumeric('6.02E+23')).toEqual({ coefficient: 602n, exponent: 21 });
    expect(parseNumeric('2.5e-3')).toEqual({ coefficient: 25n, exponent: -4 });
    expect(parseNumeric('0.1')).toEqual({ coefficient: 1n, exponent: -1 });
  });

  it('normalizes so that every spelling of a value is equal', () => {
    const spellings = ['1.50', '15e-1', '1.5E0', '0001.5', '150e-2', '0.015e2'];
    for (const text of spellings) expect(parseNumeric(text)).toEqual(parseNumeric('1.5'));
    for (const text of ['0', '-0', '0.000', '0e5', '-0.0e-9']) {
      expect(parseNumeric(text)).toEqual({ coefficient: 0n, exponent: 0 });
    }
  });

  it('tells integers from fractions by value, not by spelling', () => {
    expect(isInteger(parseNumeric('3.0'))).toBe(true);
    expect(isInteger(parseNumeric('300e-2'))).toBe(true);
    expect(isInteger(parseNumeric('1e18'))).toBe(true);
    expect(isInteger(parseNumeric('2.5'))).toBe(false);
    expect(isInteger(parseNumeric('-1e-400'))).toBe(false);
  });

  it('converts to the nearest double', () => {
    expect(toNumber(parseNumeric('0.1'))).toBe(0.1);
    expect(toNumber(parseNumeric('-12e3'))).toBe(-12000);
    expect(toNumber(parseNumeric('123456789012345678901234567890'))).toBe(1.2345678901234568e29);
    expect(toNumber(parseNumeric('1e400'))).toBe(Infinity);
    expect(toNumber(parseNumeric('1e-400'))).toBe(0);
  });

  // Every class of bad input, with the rule the caller is told.
  const bad: [label: string, text: string, reason: RegExp][] = [
    ['empty', '', /empty/],
    ['leading space', ' 1', /spaces/],
    ['trailing newline', '1\n', /spaces/],
    ['NaN', 'NaN', /NaN and Infinity/],
    ['Infinity', 'Infinity', /NaN and Infinity/],
    ['-Infinity', '-Infinity', /NaN and Infinity/],
    ['hexadecimal', '0x1F', /only decimal notation/],
    ['binary', '0b101', /only decimal notation/],
    ['octal', '0o17', /only decimal notation/],
    ['leading plus', '+1.5', /must not start with "\+"/],
    ['digit separator ,', '1,000', /digit separators/],
    ['digit separator _', '1_000', /digit separators/],
    ['no digit before the point', '.5', /both sides of the decimal point/],
    ['no digit after the point', '5.', /both sides of the decimal point/],
    ['no digit after the point, exponent', '5.e3', /both sides of the decimal point/],
    ['exponent without digits', '1e', /expected a decimal number/],
    ['two signs', '--1', /expected a decimal number/],
    ['two points', '1.2.3', /expected a decimal number/],
    ['letters', 'twelve', /expected a decimal number/],
    ['non-ASCII digits', '١٢', /expected a decimal number/],
    ['absurd exponent', '1e999999999', /exponent after "e" must be between/],
    ['absurd negative exponent', '1e-1000001', /exponent after "e" must be between/],
    ['thousand-digit exponent', `1e${'9'.repeat(1000)}`, /exponent after "e" must be between/],
    ['too long', '1'.repeat(MAX_NUMERIC_LENGTH + 1), /at most 10000 characters/],
  ];
  it.each(bad)('refuses %s with the rule it breaks', (_label, text, reason) => {
    let caught: unknown;
    try {
      parseNumeric(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(NumericInputError);
    expect((caught as NumericInputError).message).toMatch(reason);
  });

  it('accepts the largest allowed exponent and length', () => {
    expect(parseNumeric('1e100000').exponent).toBe(100_000);
    expect(parseNumeric('1e-100000').exponent).toBe(-100_000);
    expect(() => parseNumeric('1e100001')).toThrow(/between -100000 and 100000/);
    expect(parseNumeric('7'.repeat(MAX_NUMERIC_LENGTH)).coefficient.toString()).toHaveLength(
      MAX_NUMERIC_LENGTH,
    );
  });
});

describe('text forms', () => {
  it('writes plain decimals without exponent or trailing fractional zeros', () => {
    const plain = (text: string) => toPlainString(parseNumeric(text));
    expect(plain('1.50')).toBe('1.5');
    expect(plain('-12e3')).toBe('-12000');
    expect(plain('2.5e-3')).toBe('0.0025');
    expect(plain('-0')).toBe('0');
    expect(plain('1e-30')).toBe(`0.${'0'.repeat(29)}1`);
  });

  it('writes canonical text positionally up to 20 padding zeros, then in scientific form', () => {
    const canonical = (text: string) => toCanonicalString(parseNumeric(text));
    expect(canonical('1.50')).toBe('1.5');
    expect(canonical('15e-1')).toBe('1.5');
    expect(canonical('-0.0')).toBe('0');
    expect(canonical('123456789012345678901234567890')).toBe('123456789012345678901234567890');
    expect(canonical('1e20')).toBe('100000000000000000000');
    expect(canonical('1e21')).toBe('1e21');
    expect(canonical('-1.5e300')).toBe('-1.5e300');
    expect(canonical('1e-21')).toBe(`0.${'0'.repeat(20)}1`);
    expect(canonical('25e-32')).toBe('2.5e-31');
  });

  it('reads every canonical text back to the same value', () => {
    for (const text of ['0', '-7', '1.5', '1e21', '-1.5e300', '2.5e-31', '0.001', '1234.5678']) {
      const value = parseNumeric(text);
      expect(parseNumeric(toCanonicalString(value))).toEqual(value);
    }
  });
});
