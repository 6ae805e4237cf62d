import { describe, expect, it } from 'vitest';
import {
  formatCalculationInput,
  formatCount,
  formatDateTime,
  formatDigits,
  formatDuration,
  formatRelativeTime,
} from './format';

describe('formatCount and formatDigits', () => {
  it('groups thousands in the given locale', () => {
    expect(formatCount(1_000_000, 'en-US')).toBe('1,000,000');
    expect(formatCount(1_000_000, 'de-DE')).toBe('1.000.000');
  });

  it('says "digit" for one and "digits" otherwise', () => {
    expect(formatDigits(1, 'en-US')).toBe('1 digit');
    expect(formatDigits(0, 'en-US')).toBe('0 digits');
    expect(formatDigits(158, 'en-US')).toBe('158 digits');
  });
});

describe('formatDuration', () => {
  it('keeps two significant digits below a millisecond, as cache hits take microseconds', () => {
    expect(formatDuration(0.0423, 'en-US')).toBe('0.042 ms');
  });

  it('shows milliseconds with fewer decimals as they grow', () => {
    expect(formatDuration(1.234, 'en-US')).toBe('1.23 ms');
    expect(formatDuration(12.34, 'en-US')).toBe('12.3 ms');
    expect(formatDuration(123.4, 'en-US')).toBe('123 ms');
  });

  it('switches to seconds from 1000 ms and to minutes from 60 s', () => {
    expect(formatDuration(1234, 'en-US')).toBe('1.23 s');
    expect(formatDuration(12_345, 'en-US')).toBe('12.3 s');
    expect(formatDuration(65_000, 'en-US')).toBe('1 min 5 s');
  });

  it('shows a dash for a value that is not a duration', () => {
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatDuration(-1)).toBe('—');
  });
});

describe('formatDateTime', () => {
  const now = new Date('2026-11-26T15:00:00.000Z');

  it('shows only the time of day for a moment from today', () => {
    expect(
      formatDateTime('2026-11-26T06:05:30.000Z', { locale: 'en-GB', timeZone: 'UTC', now }),
    ).toBe('06:05:30');
  });

  it('adds the date for an earlier day', () => {
    expect(
      formatDateTime('2026-11-25T06:05:30.000Z', { locale: 'en-GB', timeZone: 'UTC', now }),
    ).toBe('25 Nov 2026, 06:05:30');
  });

  it('judges "today" in the reader\'s time zone', () => {
    // 23:30 UTC on the 25th is 08:30 on the 26th in Tokyo, where it is 19:00 on the 26th now.
    const tokyoEvening = new Date('2026-11-26T10:00:00.000Z');
    const options = { locale: 'en-GB', timeZone: 'Asia/Tokyo', now: tokyoEvening };
    expect(formatDateTime('2026-11-25T23:30:00.000Z', options)).toBe('08:30:00');
    expect(formatDateTime('2026-11-25T23:30:00.000Z', { ...options, timeZone: 'UTC' })).toBe(
      '25 Nov 2026, 23:30:00',
    );
  });

  it('returns a value that is not a date unchanged', () => {
    expect(formatDateTime('yesterday')).toBe('yesterday');
  });
});

describe('formatRelativeTime', () => {
  const now = new Date('2026-11-26T15:00:00.000Z');

  it('calls a moment after now "just now", never "in 18 seconds"', () => {
    expect(formatRelativeTime('2026-11-26T15:00:18.000Z', { locale: 'en', now })).toBe('just now');
    expect(formatRelativeTime('2026-11-26T17:00:00.000Z', { locale: 'en', now })).toBe('just now');
  });

  it('says how long ago, in the largest whole unit', () => {
    expect(formatRelativeTime('2026-11-26T14:59:58.000Z', { locale: 'en', now })).toBe('just now');
    expect(formatRelativeTime('2026-11-26T14:55:00.000Z', { locale: 'en', now })).toBe(
      '5 minutes ago',
    );
    expect(formatRelativeTime('2026-11-23T15:00:00.000Z', { locale: 'en', now })).toBe(
      '3 days ago',
    );
  });
});

describe('formatCalculationInput', () => {
  it('writes the canonical JSON arguments as name = value pairs', () => {
    expect(formatCalculationInput('{"base":"2","exponent":"10"}')).toBe('base = 2, exponent = 10');
    expect(formatCalculationInput('{"n":-5}')).toBe('n = -5');
  });

  it('shows anything else as it came', () => {
    expect(formatCalculationInput('not json')).toBe('not json');
    expect(formatCalculationInput('[1,2]')).toBe('[1,2]');
    expect(formatCalculationInput('{"n":{"deep":1}}')).toBe('{"n":{"deep":1}}');
  });
});
