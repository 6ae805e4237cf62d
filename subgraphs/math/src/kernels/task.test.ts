import { describe, expect, it } from 'vitest';
import { parseRational } from './rational.js';
import { assertTask, canonicalInput } from '../operations/registry.js';

const powerTask = (base: string, exponent: string, precision = 50) =>
  ({
    operation: 'POWER',
    args: { base: parseRational(base), exponent: parseRational(exponent), precision },
  }) as const;

describe('canonicalInput', () => {
  it('writes integer arguments as JSON numbers', () => {
    expect(canonicalInput({ operation: 'FACTORIAL', args: { n: 10 } })).toBe('{"n":10}');
    expect(canonicalInput({ operation: 'FIBONACCI', args: { n: -7 } })).toBe('{"n":-7}');
    expect(canonicalInput({ operation: 'FIBONACCI', args: { n: -0 } })).toBe('{"n":0}');
  });

  it('writes Numeric arguments as canonical decimal strings, base before exponent', () => {
    expect(canonicalInput(powerTask('1.5', '3'))).toBe('{"base":"1.5","exponent":"3"}');
    expect(canonicalInput(powerTask('-2.50', '1e1'))).toBe('{"base":"-2.5","exponent":"10"}');
    expect(canonicalInput(powerTask('1e301', '-0.5'))).toBe(
      '{"base":"1e301","exponent":"-0.5","precision":50}',
    );
  });

  it('writes a non-terminating rational as p/q in lowest terms, and a terminating one as a decimal', () => {
    expect(canonicalInput(powerTask('2/6', '3'))).toBe(
      '{"base":"1/3","exponent":"3","precision":50}',
    );
    expect(canonicalInput(powerTask('-3/4', '2'))).toBe('{"base":"-0.75","exponent":"2"}');
    expect(canonicalInput(powerTask('9', '4/6', 7))).toBe(
      '{"base":"9","exponent":"2/3","precision":7}',
    );
  });

  it('includes precision exactly when it can change the answer', () => {
    // Terminating decimals, answered in full at any precision.
    for (const [base, exponent] of [
      ['1.5', '3'],
      ['2', '-1'],
      ['10', '-999999'],
      ['0.5', '-3'],
      ['4', '1/2'],
      ['8/27', '-2/3'],
      ['-8', '1/3'],
      ['1/1024', '1/10'],
      ['0', '1/2'],
      ['1/6', '-1'],
      ['1e300', '-0.5'],
      ['7', '0'],
    ] as const)
      expect(canonicalInput(powerTask(base, exponent, 5)), `${base}^${exponent}`).not.toMatch(
        /precision/,
      );
    // Past about 1,200 digits of base the check would cost more than the cache miss it saves
    // (see precisionMatters): a terminating answer keeps its precision there.
    expect(canonicalInput(powerTask('1e1200', '-1', 5))).not.toMatch(/precision/);
    expect(canonicalInput(powerTask('1e1300', '-1', 5))).toMatch(/"precision":5}$/);
    // Rationals with no finite decimal, and irrationals: rounded at the precision.
    for (const [base, exponent] of [
      ['3', '-1'],
      ['1/3', '3'],
      ['2', '1/2'],
      ['9/8', '1/2'],
      ['12', '-1/2'],
      ['6', '-1'],
      ['1e301', '-0.5'],
    ] as const)
      expect(canonicalInput(powerTask(base, exponent, 5)), `${base}^${exponent}`).toMatch(
        /"precision":5}$/,
      );
  });

  it('maps every spelling of the same request to one string', () => {
    const spellings = [
      ['1.5', '3'],
      ['1.50', '3.0'],
      ['15e-1', '300e-2'],
      ['0001.5E0', '3'],
    ] as const;
    const inputs = new Set(spellings.map(([b, e]) => canonicalInput(powerTask(b, e))));
    expect([...inputs]).toEqual(['{"base":"1.5","exponent":"3"}']);
  });
});

describe('assertTask', () => {
  it('refuses out-of-domain arguments and accepts the rest', () => {
    expect(() => assertTask({ operation: 'FACTORIAL', args: { n: -3 } })).toThrow(/0 or more/);
    expect(() => assertTask(powerTask('-1', '0.5'))).toThrow(/base is negative/);
    expect(() => assertTask(powerTask('-8', '1/3'))).not.toThrow();
    expect(() => assertTask(powerTask('2', '0.5', 0))).toThrow(/1 or more/);
    // An answer too long for any budget is the budget's to refuse, not a denominator problem.
    expect(() => assertTask(powerTask('2', `${'1'.repeat(400)}/3`))).not.toThrow();
    expect(() => assertTask(powerTask('2', '1/9999999'))).toThrow(/works on numbers of about/);
    expect(() => assertTask(powerTask('0', '-2'))).toThrow(/base is 0/);
    expect(() => assertTask({ operation: 'FIBONACCI', args: { n: -3 } })).not.toThrow();
    expect(() => assertTask(powerTask('0', '0'))).not.toThrow();
  });
});
