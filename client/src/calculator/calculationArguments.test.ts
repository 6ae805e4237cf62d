import { describe, expect, it } from 'vitest';
import { prepareCalculation, validateArgument, type ArgumentValues } from './calculationArguments';

const values = (overrides: Partial<ArgumentValues>): ArgumentValues => ({
  base: '',
  exponent: '',
  precision: '',
  n: '',
  ...overrides,
});

describe('validateArgument while typing', () => {
  it('does not complain about an empty field yet', () => {
    expect(validateArgument('FACTORIAL', 'n', '')).toBeUndefined();
    expect(validateArgument('POWER', 'base', '  ')).toBeUndefined();
  });

  it('accepts integers, decimals, exponent notation and fractions for power arguments', () => {
    for (const typed of ['2', '-1.5', '0.125', '0.5', '6.02e23', '1E-3', ' 10 ', '1/3', '-22/7']) {
      expect(validateArgument('POWER', 'base', typed), typed).toBeUndefined();
    }
  });

  it('refuses power arguments that are not numbers', () => {
    for (const typed of ['two', '1..2', '1e', '--1', '0x10', 'Infinity', 'NaN', '1/-3', '1.5/2']) {
      expect(validateArgument('POWER', 'exponent', typed), typed).toMatch(/number|decimal/);
    }
  });

  it('refuses what the server refuses, in its words: a leading "+", a bare decimal point', () => {
    expect(validateArgument('POWER', 'base', '+2')).toBe(
      'Must not start with "+"; write positive numbers without a sign.',
    );
    expect(validateArgument('POWER', 'base', '.5')).toBe(
      'Needs digits on both sides of the decimal point.',
    );
    expect(validateArgument('POWER', 'exponent', '2.')).toMatch(/digits on both sides/);
    expect(validateArgument('POWER', 'exponent', '1/0')).toMatch(/denominator of p\/q/);
    expect(validateArgument('POWER', 'exponent', '1e100001')).toMatch(/exponent after "e"/);
  });

  it('refuses fractional and non-numeric n', () => {
    expect(validateArgument('FACTORIAL', 'n', '2.5')).toMatch(/whole number/);
    expect(validateArgument('FIBONACCI', 'n', '1e3')).toMatch(/whole number/);
  });

  it('refuses a negative factorial but allows a negative Fibonacci index', () => {
    expect(validateArgument('FACTORIAL', 'n', '-1')).toMatch(/0 or more/);
    expect(validateArgument('FIBONACCI', 'n', '-1')).toBeUndefined();
  });

  it('keeps n within a 32-bit GraphQL Int', () => {
    expect(validateArgument('FIBONACCI', 'n', '2147483647')).toBeUndefined();
    expect(validateArgument('FIBONACCI', 'n', '-2147483648')).toBeUndefined();
    expect(validateArgument('FIBONACCI', 'n', '2147483648')).toMatch(/between/);
    expect(validateArgument('FIBONACCI', 'n', '-2147483649')).toMatch(/between/);
    expect(validateArgument('FACTORIAL', 'n', '99999999999999999999')).toMatch(/at most/);
  });
});

describe('prepareCalculation on submit', () => {
  it('asks for every missing argument of the chosen operation only', () => {
    expect(prepareCalculation('POWER', values({ n: '5' }))).toEqual({
      ok: false,
      errors: { base: 'Enter a base.', exponent: 'Enter an exponent.' },
    });
  });

  it('sends power arguments as trimmed strings, never as rounded numbers', () => {
    expect(
      prepareCalculation('POWER', values({ base: ' 0.1 ', exponent: '12345678901234567890' })),
    ).toEqual({
      ok: true,
      request: { operation: 'POWER', variables: { base: '0.1', exponent: '12345678901234567890' } },
    });
  });

  it('sends n as an Int', () => {
    expect(prepareCalculation('FIBONACCI', values({ n: '-7' }))).toEqual({
      ok: true,
      request: { operation: 'FIBONACCI', variables: { n: -7 } },
    });
  });

  it('reports an invalid argument instead of sending it', () => {
    expect(prepareCalculation('FACTORIAL', values({ n: '-3' }))).toMatchObject({
      ok: false,
      errors: { n: expect.stringMatching(/0 or more/) },
    });
  });
});

describe('the minus sign the app itself writes (U+2212)', () => {
  it('is read as "-" in every number field', () => {
    expect(validateArgument('POWER', 'base', '−3')).toBeUndefined();
    expect(validateArgument('POWER', 'exponent', '1e−3')).toBeUndefined();
    expect(validateArgument('POWER', 'exponent', '−1/3')).toBeUndefined();
    expect(validateArgument('FIBONACCI', 'n', '−8')).toBeUndefined();
    expect(validateArgument('FACTORIAL', 'n', '−1')).toMatch(/0 or more/);
  });

  it('is sent as "-"', () => {
    expect(prepareCalculation('POWER', values({ base: '−3', exponent: '−1/3' }))).toEqual({
      ok: true,
      request: { operation: 'POWER', variables: { base: '-3', exponent: '-1/3' } },
    });
    expect(prepareCalculation('FIBONACCI', values({ n: ' −8 ' }))).toEqual({
      ok: true,
      request: { operation: 'FIBONACCI', variables: { n: -8 } },
    });
  });
});

describe('precision and fractions', () => {
  it('accepts a fraction as a power argument', () => {
    expect(validateArgument('POWER', 'exponent', '1/3')).toBeUndefined();
  });

  it('sends a precision only when one is given, and refuses one out of range', () => {
    expect(
      prepareCalculation('POWER', values({ base: '2', exponent: '-3', precision: '20' })),
    ).toEqual({
      ok: true,
      request: { operation: 'POWER', variables: { base: '2', exponent: '-3', precision: 20 } },
    });
    expect(validateArgument('POWER', 'precision', '0')).toMatch(/from 1 to 1,000,000/);
    expect(validateArgument('POWER', 'precision', '1000001')).toMatch(/from 1 to 1,000,000/);
  });

  it('takes as many digits as the server computes: 100,000 digits of a root', () => {
    expect(validateArgument('POWER', 'precision', '100000')).toBeUndefined();
  });
});
