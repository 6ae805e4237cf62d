import { describe, expect, it } from 'vitest';
import { anatomyOf, formatMagnitude, groupDigits, magnitudeOf } from './decimalNumber';

const magnitude = (text: string) => {
  const found = magnitudeOf(text);
  return found && formatMagnitude(found);
};

describe('magnitudeOf', () => {
  it('writes a long integer in scientific form with three significant digits', () => {
    expect(magnitude(`672${'0'.repeat(50)}`)).toBe('≈ 6.72 × 10^52');
    expect(magnitude('-12345')).toBe('≈ −1.23 × 10^4');
  });

  it('rounds half up and carries into the exponent', () => {
    expect(magnitude('99960')).toBe('≈ 1 × 10^5');
    expect(magnitude('12350')).toBe('≈ 1.24 × 10^4');
  });

  it('counts the leading zeros of a small decimal into a negative exponent', () => {
    expect(magnitude('0.000123456')).toBe('≈ 1.23 × 10^−4');
    expect(magnitude('0.125')).toBe('≈ 1.25 × 10^−1');
    expect(magnitude('12.5')).toBe('≈ 1.25 × 10^1');
  });

  it('has no magnitude for zero', () => {
    expect(magnitudeOf('0')).toBeNull();
    expect(magnitudeOf('0.000')).toBeNull();
  });
});

describe('anatomyOf', () => {
  it('finds the integer part and the decimal point', () => {
    expect(anatomyOf('-123.45')).toEqual({
      negative: true,
      integerStart: 1,
      pointIndex: 4,
      integerDigits: 3,
      fractionDigits: 2,
    });
    expect(anatomyOf('1000')).toMatchObject({ integerDigits: 4, fractionDigits: 0 });
  });
});

describe('groupDigits', () => {
  const thin = (text: string) => text.replaceAll('\u202f', ' ');

  it('groups the integer part from the point and the fraction from the point', () => {
    expect(thin(groupDigits('1234567'))).toBe('1 234 567');
    expect(thin(groupDigits('-1234.56789'))).toBe('-1 234.567 89');
  });

  it('aligns groups of a slice to the whole number', () => {
    const text = '1234567890';
    expect(thin(groupDigits(text, anatomyOf(text), 0, 4))).toBe('1 234');
    expect(thin(groupDigits(text, anatomyOf(text), 6, 10))).toBe('7 890');
  });
});
