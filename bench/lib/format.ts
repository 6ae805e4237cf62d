/** How figures are written in tables: few significant digits, units chosen by magnitude. */

/** A duration in milliseconds, as µs, ms or s with about three significant digits. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1) return `${significant(ms * 1000)} µs`;
  if (ms < 1000) return `${significant(ms)} ms`;
  return `${significant(ms / 1000)} s`;
}

/** How many times a is of b, e.g. "5.2×"; "—" when either side was not measured. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio <= 0) return '—';
  return `${significant(ratio)}×`;
}

/**
 * A ratio judged against a lower bound: with as many digits as it takes not to read as the bound
 * when it misses it (1.6996 against 1.7 is "1.6996×", where formatRatio writes "1.7×").
 */
export function formatRatioAgainst(ratio: number, bound: number): string {
  if (!Number.isFinite(ratio) || ratio <= 0) return '—';
  let digits = 3;
  while (
    ratio < bound &&
    Number(significant(ratio, digits).replace(/,/g, '')) >= bound &&
    digits < 8
  )
    digits++;
  return `${significant(ratio, digits)}×`;
}

export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(fraction >= 0.1 ? 0 : 1)}%`;
}

export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return '—';
  return Math.round(value).toLocaleString('en-US');
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${significant(value)} ${units[unit]}`;
}

/** Three significant digits, without exponent notation or trailing zeros after the point. */
function significant(value: number, digits = 3): string {
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return Number(value.toFixed(decimals)).toLocaleString('en-US', {
    maximumFractionDigits: decimals,
  });
}
