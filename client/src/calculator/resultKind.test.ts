import { describe, expect, it } from 'vitest';
import { describeResultKind } from './resultKind';

describe('describeResultKind', () => {
  it('calls an exact result without a point an exact integer', () => {
    expect(describeResultKind({ result: '1024', exact: true }).label).toBe('Exact integer');
  });

  it('calls an exact result with a point an exact decimal and counts its places', () => {
    expect(describeResultKind({ result: '0.125', exact: true })).toEqual({
      label: 'Exact decimal',
      detail: 'ends after 3 decimal places',
    });
  });

  it('names the fraction and says its decimal is rounded when it does not terminate', () => {
    expect(describeResultKind({ result: '0.1111', exact: false, fraction: '1/9' })).toEqual({
      label: 'Exact fraction',
      detail: '1/9; its decimal is rounded to 4 significant digits',
    });
  });

  it('calls an inexact result rounded and counts its significant digits', () => {
    expect(describeResultKind({ result: '-0.0012599', exact: false })).toEqual({
      label: 'Rounded',
      detail: 'to 5 significant digits',
    });
  });

  it('writes a negative fraction with a true minus, as its title does', () => {
    expect(
      describeResultKind({ result: '-0.0041152263', exact: false, fraction: '-1/243' }).detail,
    ).toBe('−1/243; its decimal is rounded to 8 significant digits');
  });

  it('says the precision asked for when the result dropped trailing zeros, and how many', () => {
    // 2^(-1/3) to 10 digits is 0.7937005260, whose last 0 the server drops.
    expect(describeResultKind({ result: '0.793700526', exact: false, precision: 10 })).toEqual({
      label: 'Rounded',
      detail: 'to 10 significant digits, a trailing 0 dropped',
    });
    expect(describeResultKind({ result: '1', exact: false, precision: 5 }).detail).toBe(
      'to 5 significant digits, 4 trailing 0s dropped',
    );
    expect(describeResultKind({ result: '1.4142', exact: false, precision: 5 }).detail).toBe(
      'to 5 significant digits',
    );
    expect(
      // 1/101 to 3 digits is 0.00990.
      describeResultKind({ result: '0.0099', exact: false, fraction: '1/101', precision: 3 })
        .detail,
    ).toBe('1/101; its decimal is rounded to 3 significant digits, a trailing 0 dropped');
  });

  const THIRD = '100000000000000000000000000000000000000000000000000000000001/3';
  const CUBED =
    '1881676372353657772546716040595265868817422360610342210934275258408069807576943069432557725290867/343';
  it.each([
    // 50 threes, then 9 zeros to reach the point.
    [
      '(10^59 + 1)/3',
      `${'3'.repeat(50)}${'0'.repeat(9)}`,
      THIRD,
      `${THIRD}; its decimal is rounded to 50 significant digits`,
    ],
    // 94 integer digits, the last 44 of them zeros.
    [
      '(123456789012345678901234567890123/7)^3',
      `54859369456374862173373645498404252735201818093596${'0'.repeat(44)}`,
      CUBED,
      `${CUBED}; its decimal is rounded to 50 significant digits`,
    ],
    // 10^50: 51 digits written.
    ['√(10^100 + 1)', `1${'0'.repeat(50)}`, null, 'to 50 significant digits'],
  ])(
    'says %s to 50 digits is rounded to 50, not to the integer digits written past them as zeros',
    (_, result, fraction, detail) => {
      expect(describeResultKind({ result, exact: false, fraction, precision: 50 }).detail).toBe(
        detail,
      );
    },
  );

  it('says the zeros a whole number short of the precision dropped after its point', () => {
    // 100.00 to 5 digits.
    expect(describeResultKind({ result: '100', exact: false, precision: 5 }).detail).toBe(
      'to 5 significant digits, 2 trailing 0s dropped',
    );
  });

  it('counts no whole number’s trailing zeros when the precision is not known', () => {
    expect(describeResultKind({ result: `1${'0'.repeat(50)}`, exact: false }).detail).toBe(
      'to 1 significant digit',
    );
    expect(describeResultKind({ result: '1230', exact: false }).detail).toBe(
      'to 3 significant digits',
    );
    expect(describeResultKind({ result: '1230.5', exact: false }).detail).toBe(
      'to 5 significant digits',
    );
  });

  it('counts the significant digits of a million-digit rounded result too', () => {
    const result = `1.${'7'.repeat(999_999)}`;
    expect(describeResultKind({ result, exact: false }).detail).toBe(
      'to 1,000,000 significant digits',
    );
  });
});
