/**
 * What kind of number a result is, said plainly beside it: an exact integer, an exact decimal,
 * a fraction (whose decimal may be rounded), or a rounded value and to how many digits. The
 * server's `exact` flag and `fraction` field decide; the text only counts digits it is shown.
 */
import { anatomyOf } from '../format/decimalNumber';
import { formatCount } from '../format/format';

export interface ResultKindInput {
  result: string;
  exact: boolean;
  /** A rational answer in lowest terms ("1/9"); null or absent for integers and irrational answers. */
  fraction?: string | null;
}

export interface ResultKind {
  label: 'Exact integer' | 'Exact decimal' | 'Exact fraction' | 'Rounded';
  detail: string;
}

export function describeResultKind({ result, exact, fraction }: ResultKindInput): ResultKind {
  const { fractionDigits } = anatomyOf(result);
  if (fraction) {
    return {
      label: 'Exact fraction',
      detail: exact
        ? `${signed(fraction)}, whose decimal ends after ${places(fractionDigits)}`
        : `${signed(fraction)}; its decimal is rounded to ${significantDigits(result)}`,
    };
  }
  if (exact && fractionDigits === 0) return { label: 'Exact integer', detail: 'every digit' };
  if (exact) {
    return { label: 'Exact decimal', detail: `ends after ${places(fractionDigits)}` };
  }
  return { label: 'Rounded', detail: `to ${significantDigits(result)}` };
}

function places(count: number): string {
  return `${formatCount(count)} decimal ${count === 1 ? 'place' : 'places'}`;
}

/** Digits from the first nonzero one, the point not counted; a loop, not copies of the text. */
function significantDigits(result: string): string {
  let digits = 0;
  for (let i = 0; i < result.length; i++) {
    const code = result.charCodeAt(i);
    if (code >= 48 && code <= 57 && (digits > 0 || code !== 48)) digits++;
  }
  return `${formatCount(digits)} significant ${digits === 1 ? 'digit' : 'digits'}`;
}

/** A minus sign, not a hyphen, as the calculation's title writes it. */
function signed(fraction: string): string {
  return fraction.replace(/^-/, '\u2212');
}
