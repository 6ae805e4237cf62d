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

/** Inexact results are short (at most the requested precision); longer ones are not counted. */
const LONGEST_COUNTED = 100_000;

export function describeResultKind({ result, exact, fraction }: ResultKindInput): ResultKind {
  const { fractionDigits } = anatomyOf(result);
  if (fraction) {
    return {
      label: 'Exact fraction',
      detail: exact
        ? `${fraction}, whose decimal ends after ${places(fractionDigits)}`
        : `${fraction}; its decimal is rounded to ${significantDigits(result)}`,
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

function significantDigits(result: string): string {
  if (result.length > LONGEST_COUNTED) return 'the precision asked for';
  const digits = result.replace(/^[-+]?[0.]*/, '').replace('.', '').length;
  return `${formatCount(digits)} significant ${digits === 1 ? 'digit' : 'digits'}`;
}
