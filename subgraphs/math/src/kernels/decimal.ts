/**
 * Facts about a result's decimal text, for `Calculation.digits` and `RequestLog.resultPreview`.
 * They work on the text because the text is what the caller receives.
 */

/** Decimal digits in the text; sign, point and any exponent part (`e-7`) excluded. */
export function digitCount(decimalText: string): number {
  const exponentAt = decimalText.search(/[eE]/);
  const mantissa = exponentAt === -1 ? decimalText : decimalText.slice(0, exponentAt);
  let count = 0;
  for (let i = 0; i < mantissa.length; i++) {
    const code = mantissa.charCodeAt(i);
    if (code >= 48 && code <= 57) count++;
  }
  return count;
}

/** The separator between the leading and trailing digits of a long preview. */
export const ELLIPSIS = '…';

/**
 * The whole text when it has at most 2·edge digits; otherwise the sign, the first `edge` digits,
 * "…", and the last `edge` digits (a decimal point inside either part is kept), then any
 * exponent part. E.g. 1000! → "40238726007709377354…00000000000000000000".
 */
export function preview(decimalText: string, edge = 20): string {
  if (!Number.isInteger(edge) || edge < 1) throw new RangeError('edge must be a positive integer');
  if (digitCount(decimalText) <= 2 * edge) return decimalText;

  const exponentAt = decimalText.search(/[eE]/);
  const mantissa = exponentAt === -1 ? decimalText : decimalText.slice(0, exponentAt);
  const exponentPart = exponentAt === -1 ? '' : decimalText.slice(exponentAt);
  return (
    mantissa.slice(0, indexAfterDigits(mantissa, edge)) +
    ELLIPSIS +
    mantissa.slice(indexBeforeLastDigits(mantissa, edge)) +
    exponentPart
  );
}

function isDigit(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code >= 48 && code <= 57;
}

/** The index just past the first `count` digits (signs and points on the way are included). */
function indexAfterDigits(text: string, count: number): number {
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    if (isDigit(text, i) && ++seen === count) return i + 1;
  }
  return text.length;
}

/** The index of the first of the last `count` digits (a point between them is included). */
function indexBeforeLastDigits(text: string, count: number): number {
  let seen = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    if (isDigit(text, i) && ++seen === count) return i;
  }
  return 0;
}
