import { describe, expect, it } from 'vitest';
import { calculationFromSearch, searchOf } from './calculationUrl';

describe('calculation in the URL', () => {
  it('reads an operation and its arguments, ignoring other parameters', () => {
    expect(calculationFromSearch('?op=factorial&n=100&base=3')).toEqual({
      operation: 'FACTORIAL',
      values: { n: '100' },
    });
  });

  it('reads nothing from an address without a known operation', () => {
    expect(calculationFromSearch('')).toBeNull();
    expect(calculationFromSearch('?op=sqrt&n=2')).toBeNull();
  });

  it('writes what it reads', () => {
    const values = { base: '-8', exponent: '1/3', precision: '', n: '' };
    const search = searchOf('POWER', values);
    expect(search).toBe('?op=power&base=-8&exponent=1%2F3');
    expect(calculationFromSearch(search)).toEqual({
      operation: 'POWER',
      values: { base: '-8', exponent: '1/3' },
    });
  });
});
