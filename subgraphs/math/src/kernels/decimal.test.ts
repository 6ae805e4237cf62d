import { describe, expect, it } from 'vitest';
import { digitCount, preview } from './decimal.js';

describe('digitCount', () => {
  it('counts digits, not signs, points or exponents', () => {
    expect(digitCount('0')).toBe(1);
    expect(digitCount('-3.375')).toBe(4);
    expect(digitCount('0.001')).toBe(4);
    expect(digitCount('1.2345678901234567e+308')).toBe(17);
    expect(digitCount('-1e-7')).toBe(1);
    expect(digitCount('9'.repeat(1000))).toBe(1000);
  });
});

describe('preview', () => {
  it('returns short text whole', () => {
    expect(preview('3.375')).toBe('3.375');
    expect(preview('9'.repeat(40))).toBe('9'.repeat(40));
    expect(preview('-' + '9'.repeat(40))).toBe('-' + '9'.repeat(40));
  });

  it('keeps the leading and trailing digits of long text around "…"', () => {
    const text = '40238726007709377354' + '1'.repeat(100) + '0'.repeat(20);
    expect(preview(text)).toBe('40238726007709377354…00000000000000000000');
    expect(preview('-' + text)).toBe('-40238726007709377354…00000000000000000000');
    expect(preview('1234567890', 3)).toBe('123…890');
  });

  it('keeps a decimal point that falls inside the shown digits', () => {
    expect(preview('12.34567890', 3)).toBe('12.3…890');
    expect(preview('1234567.89', 3)).toBe('123…7.89');
    expect(preview('1234567.890', 3)).toBe('123…890');
  });
});
