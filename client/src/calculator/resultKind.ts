/**
 * What kind of number a result is, said plainly beside it: an exact integer, an exact decimal,
 * a fraction (whose decimal may be rounded), or a rounded value and to how many digits. The
 * server's `exact` flag and `fraction` field decide. A rounded value says the precision asked for:
 * the server drops trailing zeros (`2^(-1/3)` to 10 digits is `0.793700526`, its tenth digit a 0),
 * so the digits shown can be fewer, and counting them would read as less precision than was given;
 * and it writes a rounded value's integer part in full, zeros past the precision included, so they
 * can be more, and counting them would read as more.
 */
import { anatomyOf } from '../format/decimalNumber';
import { formatCount } from '../format/format';

export interface ResultKindInput {
  result: string;
  exact: boolean;
  /** A rational answer in lowest terms ("1/9"); null or absent for integers and irrational answers. */
  fraction?: string | null;
  /** The significant digits the answer was rounded to, when known (the request's `precision`). */
  precision?: number | null;
}

export interface ResultKind {
  label: 'Exact integer' | 'Exact decimal' | 'Exact fraction' | 'Rounded';
  detail: string;
}

export function describeResultKind({
  result,
  exact,
  fraction,
  precision,
}: ResultKindInput): ResultKind {
  const { fractionDigits } = anatomyOf(result);
  if (fraction) {
    return {
      label: 'Exact fraction',
      detail: exact
        ? `${signed(fraction)}, whose decimal ends after ${places(fractionDigits)}`
        : `${signed(fraction)}; its decimal is rounded to ${roundedTo(result, precision)}`,
    };
  }
  if (exact && fractionDigits === 0) return { label: 'Exact integer', detail: 'every digit' };
  if (exact) {
    return { label: 'Exact decimal', detail: `ends after ${places(fractionDigits)}` };
  }
  return { label: 'Rounded', detail: `to ${roundedTo(result, precision)}` };
}

function places(count: number): string {
  return `${formatCount(count)} decimal ${count === 1 ? 'place' : 'places'}`;
}

/**
 * "10 significant digits", and how many trailing zeros the result dropped of them ("a trailing 0
 * dropped"). The precision asked for when it is known: that is what the server rounded to. Its
 * text can show more digits than that, never more significant ones: a rounded answer of more
 * integer digits than the precision writes the rest as zeros (`(10^59+1)/3` to 50 digits is 50
 * threes then 9 zeros). Unknown, the digits the result shows, bar a whole number's trailing zeros
 * (which may be such padding): at least that many were kept.
 */
function roundedTo(result: string, precision: number | null | undefined): string {
  const shown = significantDigitsOf(result);
  const asked =
    precision !== null && precision !== undefined && precision > 0
      ? precision
      : shown - (result.includes('.') ? 0 : trailingZerosOf(result));
  const dropped = Math.max(0, asked - shown);
  const said = `${formatCount(asked)} significant ${asked === 1 ? 'digit' : 'digits'}`;
  if (dropped === 0) return said;
  return `${said}, ${dropped === 1 ? 'a trailing 0' : `${formatCount(dropped)} trailing 0s`} dropped`;
}

/** Digits from the first nonzero one, the point not counted; a loop, not copies of the text. */
function significantDigitsOf(result: string): number {
  let digits = 0;
  for (let i = 0; i < result.length; i++) {
    const code = result.charCodeAt(i);
    if (code >= 48 && code <= 57 && (digits > 0 || code !== 48)) digits++;
  }
  return digits;
}

/** The zeros the text ends with. */
function trailingZerosOf(result: string): number {
  let end = result.length;
  while (end > 0 && result.charCodeAt(end - 1) === 48) end--;
  return result.length - end;
}

/** A minus sign, not a hyphen, as the calculation's title writes it. */
function signed(fraction: string): string {
  return fraction.replace(/^-/, '\u2212');
}
