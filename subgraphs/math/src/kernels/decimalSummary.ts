/**
 * A result's digit count and preview without writing the whole result in decimal. For a big
 * BigInt the decimal conversion costs several times the arithmetic that produced it (1,000,000!:
 * ~0.23 s to compute, ~1.7 s to convert), so when the caller does not ask for `result` we only take
 * what the preview shows:
 *
 * - the trailing digits: |c| mod 10^edge, a division by a small number (linear time);
 * - the digit count and the leading digits together: q = ⌊|c| / 10^k⌋ for a k a few digits short
 *   of the length, so q is short and the length is k + digits(q), exactly, whatever the error
 *   of the estimate that chose k. 10^k is built as 5^k · 2^k, so the division is a shift and a
 *   division by 5^k, which is smaller than 10^k.
 *
 * The answer is by definition what `digitCount` and `preview` give for `toPlainString(value)`;
 * the tests hold it to that.
 */
import { digitCount, ELLIPSIS, preview } from './decimal.js';
import type { Decimal } from './numeric.js';
import { toPlainString } from './numeric.js';

export interface DecimalSummary {
  /** Digits of the plain text, as `digitCount` counts them. */
  digits: number;
  /** What `preview` makes of the plain text. */
  preview: string;
}

export interface SummaryOptions {
  /** Leading and trailing digits shown around "…"; as in `preview`. */
  edge?: number;
  /**
   * Coefficients up to this many bits are simply converted: below a few thousand digits the
   * conversion takes microseconds and the arithmetic below would not pay off.
   */
  convertUpToBits?: number;
}

export const DEFAULT_CONVERT_UP_TO_BITS = 16_384; // ≈ 4932 decimal digits

const LOG10_2 = Math.log10(2);

/** The digit count and preview of `toPlainString(value)`. */
export function summarizeDecimal(value: Decimal, options: SummaryOptions = {}): DecimalSummary {
  const edge = options.edge ?? 20;
  const convertUpToBits = Math.max(options.convertUpToBits ?? DEFAULT_CONVERT_UP_TO_BITS, 8 * edge);
  const negative = value.coefficient < 0n;
  const magnitude = negative ? -value.coefficient : value.coefficient;
  const bits = bitLength(magnitude);
  if (bits <= convertUpToBits) {
    const text = toPlainString(value);
    return { digits: digitCount(text), preview: preview(text, edge) };
  }

  // The plain text is a run of digits S, with a point after `pointAfter` of them (or none):
  //   exponent ≥ 0:            |c| then `exponent` zeros
  //   −exponent < len(|c|):    |c| with the point `−exponent` digits from the right
  //   otherwise:               "0." then zeros, then |c|
  const { length, leading } = lengthAndLeadingDigits(magnitude, bits, edge);
  const trailing = (magnitude % 10n ** BigInt(edge)).toString().padStart(edge, '0');
  const e = value.exponent;
  let zerosBefore = 0;
  let zerosAfter = 0;
  let pointAfter: number | undefined;
  if (e >= 0) {
    zerosAfter = e;
  } else if (length > -e) {
    pointAfter = length + e;
  } else {
    zerosBefore = -e - length + 1;
    pointAfter = 1;
  }
  const total = zerosBefore + length + zerosAfter;
  // |c| alone has more than 2·edge digits (convertUpToBits ≥ 8·edge), so each end of S is
  // covered by the zeros on that side and the digits of |c| nearest to it.
  const head = ('0'.repeat(Math.min(zerosBefore, edge)) + leading).slice(0, edge);
  const tail = (trailing + '0'.repeat(Math.min(zerosAfter, edge))).slice(-edge);
  const fromEnd = pointAfter === undefined ? 0 : total - pointAfter;
  // `preview` keeps a point only when digits it shows lie on both sides of it.
  const shownHead =
    pointAfter !== undefined && pointAfter < edge
      ? `${head.slice(0, pointAfter)}.${head.slice(pointAfter)}`
      : head;
  const shownTail =
    fromEnd > 0 && fromEnd < edge
      ? `${tail.slice(0, edge - fromEnd)}.${tail.slice(edge - fromEnd)}`
      : tail;
  return {
    digits: total,
    preview: `${negative ? '-' : ''}${shownHead}${ELLIPSIS}${shownTail}`,
  };
}

/** Bits in a positive BigInt, from its hexadecimal text (linear time, unlike decimal). */
export function bitLength(magnitude: bigint): number {
  if (magnitude === 0n) return 0;
  const hex = magnitude.toString(16);
  return (hex.length - 1) * 4 + Number.parseInt(hex[0] as string, 16).toString(2).length;
}

/** The decimal length of a positive BigInt of `bits` bits and its first `count` digits. */
function lengthAndLeadingDigits(
  magnitude: bigint,
  bits: number,
  count: number,
): { length: number; leading: string } {
  // (bits − 1)·log10 2 < log10|c| < bits·log10 2; staying 2 digits below the lower end leaves q
  // at least `count` digits even if the double estimate is off by one.
  const k = Math.max(0, Math.floor((bits - 1) * LOG10_2) - count - 2);
  const shift = BigInt(k);
  const q = (magnitude >> shift) / 5n ** shift; // ⌊⌊|c| / 2^k⌋ / 5^k⌋ = ⌊|c| / 10^k⌋
  const qText = q.toString();
  return { length: k + qText.length, leading: qText.slice(0, count) };
}
