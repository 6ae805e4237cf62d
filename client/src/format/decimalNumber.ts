/**
 * The anatomy of a result as the server sends it (a plain decimal string, `-123.45`, possibly a
 * million digits long) and the readings built on it: its magnitude in scientific form, digit
 * grouping, and where the decimal point falls. Each function looks at the few characters it needs
 * (plus one native `indexOf` for the point), never walks the whole string in JavaScript.
 */

export interface DecimalAnatomy {
  negative: boolean;
  /** Index of the first integer digit (after any sign). */
  integerStart: number;
  /** Index of the decimal point, or the text's length when there is none. */
  pointIndex: number;
  integerDigits: number;
  fractionDigits: number;
}

export function anatomyOf(text: string): DecimalAnatomy {
  const negative = text.startsWith('-');
  const integerStart = negative || text.startsWith('+') ? 1 : 0;
  const point = text.indexOf('.', integerStart);
  const pointIndex = point === -1 ? text.length : point;
  return {
    negative,
    integerStart,
    pointIndex,
    integerDigits: pointIndex - integerStart,
    fractionDigits: point === -1 ? 0 : text.length - point - 1,
  };
}

export interface Magnitude {
  negative: boolean;
  /** Significant digits with a point after the first: "6.72". */
  mantissa: string;
  /** The power of ten: 52 for 6.72 × 10^52. */
  exponent: number;
}

/** `text` in scientific form with `significant` digits, rounded half up; null for zero or non-numbers. */
export function magnitudeOf(text: string, significant = 3): Magnitude | null {
  const { negative, integerStart, pointIndex } = anatomyOf(text);
  let first = integerStart;
  while (first < text.length && (text[first] === '0' || text[first] === '.')) first++;
  if (first >= text.length || !isDigit(text.charCodeAt(first))) return null;
  // The first significant digit's place value: 10^(pointIndex - first - 1) before the point.
  let exponent = first < pointIndex ? pointIndex - first - 1 : pointIndex - first;
  const wanted: number[] = [];
  let index = first;
  while (wanted.length < significant + 1 && index < text.length) {
    const code = text.charCodeAt(index++);
    if (isDigit(code)) wanted.push(code - 48);
  }
  const kept = wanted.slice(0, significant);
  if ((wanted[significant] ?? 0) >= 5) {
    let carry = significant - 1;
    while (carry >= 0 && kept[carry] === 9) kept[carry--] = 0;
    if (carry < 0) {
      kept.unshift(1);
      kept.pop();
      exponent++;
    } else {
      kept[carry] = (kept[carry] ?? 0) + 1;
    }
  }
  while (kept.length > 1 && kept[kept.length - 1] === 0) kept.pop();
  const digits = kept.join('');
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return { negative, mantissa, exponent };
}

/** "≈ −6.72 × 10^52" as plain text (for labels and announcements). */
export function formatMagnitude(magnitude: Magnitude): string {
  const sign = magnitude.negative ? '−' : '';
  return `≈ ${sign}${magnitude.mantissa} × 10^${String(magnitude.exponent).replace('-', '−')}`;
}

/**
 * Results of at least 10^9, or under 10^-8, get their magnitude shown beside them: in a shorter
 * number the decimal point is in plain view, and "× 10^0" beside 1.41… says nothing.
 */
export const MAGNITUDE_FROM_EXPONENT = 9;

/** A narrow no-break space: groups digits without letting a line break inside a group. */
export const DIGIT_GROUP_SEPARATOR = '\u202f';

/**
 * `text.slice(start, end)` with a separator before every third digit counted from the decimal
 * point (integer part leftwards, fraction rightwards). The slice may come from anywhere in the
 * number: groups are aligned to the whole number, not to the slice.
 */
export function groupDigits(
  text: string,
  anatomy: DecimalAnatomy = anatomyOf(text),
  start = 0,
  end = text.length,
): string {
  const { integerStart, pointIndex } = anatomy;
  let grouped = '';
  let runStart = start;
  // No separator before the slice's first character: a slice starting at a boundary starts a group.
  for (let index = Math.max(start + 1, integerStart + 1); index < end; index++) {
    const boundary =
      index < pointIndex
        ? (pointIndex - index) % 3 === 0
        : index > pointIndex + 1 && (index - pointIndex - 1) % 3 === 0;
    if (boundary) {
      grouped += text.slice(runStart, index) + DIGIT_GROUP_SEPARATOR;
      runStart = index;
    }
  }
  return grouped + text.slice(runStart, end);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
