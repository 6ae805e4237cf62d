/**
 * How numbers, durations, times and calculation inputs read on screen. Every function takes the
 * locale (and time zone) it formats for, so the app passes the reader's and tests pass fixed ones.
 */

/** A whole count with grouping: 1000000 → "1,000,000" in en-US. */
export function formatCount(count: number, locale?: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(count);
}

/** "1 digit", "158 digits", "1,000,000 digits". */
export function formatDigits(digits: number, locale?: string): string {
  return `${formatCount(digits, locale)} ${digits === 1 ? 'digit' : 'digits'}`;
}

/**
 * A duration in the unit that keeps it readable: sub-millisecond times keep two significant
 * digits (a cache hit takes microseconds), seconds from 1 s, minutes from 60 s.
 */
export function formatDuration(ms: number, locale?: string): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1) {
    return `${new Intl.NumberFormat(locale, { maximumSignificantDigits: 2 }).format(ms)} ms`;
  }
  if (ms < 1000) {
    const fractionDigits = ms < 10 ? 2 : ms < 100 ? 1 : 0;
    return `${fixed(ms, fractionDigits, locale)} ms`;
  }
  if (ms < 60_000) {
    return `${fixed(ms / 1000, ms < 10_000 ? 2 : 1, locale)} s`;
  }
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

function fixed(value: number, fractionDigits: number, locale?: string): string {
  return new Intl.NumberFormat(locale, {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(value);
}

export interface DateTimeFormatOptions {
  locale?: string;
  timeZone?: string;
  /** The moment "today" is judged from. */
  now?: Date;
}

/** A log's time: the time of day when it is from today, else the date and time. */
export function formatDateTime(iso: string, options: DateTimeFormatOptions = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const { locale, timeZone, now = new Date() } = options;
  const sameDay = dayKey(date, timeZone) === dayKey(now, timeZone);
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    ...(sameDay ? {} : { year: 'numeric', month: 'short', day: 'numeric' }),
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(date);
}

const RELATIVE_UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.35],
  ['month', 12],
  ['year', Infinity],
];

/**
 * "just now", "5 minutes ago", "3 days ago": how long before `now` the moment was. A moment after
 * `now` is "just now" too: a log is never in the future, but the server's clock may be ahead of
 * the browser's, and a page's `now` is refreshed only now and then.
 */
export function formatRelativeTime(iso: string, options: DateTimeFormatOptions = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const { locale, now = new Date() } = options;
  let amount = (date.getTime() - now.getTime()) / 1000;
  if (amount > -10) return 'just now';
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of RELATIVE_UNITS) {
    if (Math.abs(amount) < size) return format.format(Math.round(amount), unit);
    amount /= size;
  }
  return '';
}

function dayKey(date: Date, timeZone: string | undefined): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' }).format(date);
}

/**
 * A calculation's canonical JSON input as a reader would write it:
 * `{"base":"2","exponent":"10"}` → "base = 2, exponent = 10". Anything that is not a flat JSON
 * object is shown as it came.
 */
export function formatCalculationInput(input: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return input;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return input;
  const parts = Object.entries(parsed).map(([name, value]) =>
    typeof value === 'string' || typeof value === 'number' ? `${name} = ${value}` : undefined,
  );
  if (parts.length === 0 || parts.includes(undefined)) return input;
  return parts.join(', ');
}

/**
 * How long to wait before trying again, as people say it: seconds under two minutes ("45 s"),
 * whole minutes rounded up beyond ("15 min" for 898 s), so a wait is never said as 3,412 s.
 */
export function formatWait(seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds));
  return whole < 120 ? `${whole} s` : `${Math.ceil(whole / 60)} min`;
}
