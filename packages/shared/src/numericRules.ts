/**
 * The rules a `Numeric` argument's text meets, as the rule each text breaks (or undefined): math
 * refuses an argument that breaks one (BAD_USER_INPUT naming the argument), and the web app
 * checks its number fields by the same rules before it sends them, so the page cannot accept what
 * the server refuses (a leading "+", ".5"). This module imports nothing, so the client bundles it
 * as it is.
 *
 * A decimal is the GraphQL number grammar plus leading zeros:
 *   -?  digits  ( . digits )?  ( [eE] [+-]? digits )?
 * A leading `+` is refused: GraphQL's own number literals cannot carry one, and one spelling per
 * sign keeps the accepted language small. `.5` and `5.` are refused for the same reason. A
 * fraction is "p/q" of whole numbers, the sign only in front of p, q not 0.
 */

/** Longest accepted text. Far beyond any useful input, small enough that parsing stays cheap. */
export const MAX_NUMERIC_LENGTH = 10_000;
/**
 * Largest written exponent (the part after `e`). Without a bound, `1e999999999` is a 3-billion-bit
 * integer that no later step could represent. Arguments become exact fractions, so `1e100000` is
 * a 100,000-digit integer, built in a few milliseconds; a million would take ~0.2 s of the event
 * loop per request. Tiny values like `1e-400` still pass.
 */
export const MAX_WRITTEN_EXPONENT = 100_000;

/** A decimal: sign, integer digits, fraction digits, written exponent. */
export const DECIMAL_PATTERN = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
/** "p/q" with integer p and q; the sign only in front of p. */
export const FRACTION_PATTERN = /^(-?\d+)\/(\d+)$/;

/** What is wrong with a decimal's text; undefined when it is one math reads. */
export function decimalProblem(text: string): string | undefined {
  if (text === '') return 'a number is required, not an empty string';
  if (text.length > MAX_NUMERIC_LENGTH)
    return `must be at most ${MAX_NUMERIC_LENGTH} characters long`;
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) return malformedDecimalProblem(text);
  const writtenExponent = match[4] ?? '0';
  // Compare the exponent's digits as text first so a 5000-digit exponent is not parsed at all.
  const exponentDigits = writtenExponent.replace(/^[+-]?0*/, '');
  if (
    exponentDigits.length > String(MAX_WRITTEN_EXPONENT).length ||
    Math.abs(Number(writtenExponent)) > MAX_WRITTEN_EXPONENT
  ) {
    return `the exponent after "e" must be between -${MAX_WRITTEN_EXPONENT} and ${MAX_WRITTEN_EXPONENT}`;
  }
  return undefined;
}

/** What is wrong with a `Numeric` text, decimal or fraction; undefined when math reads it. */
export function numericProblem(text: string): string | undefined {
  if (!text.includes('/')) return decimalProblem(text);
  // The whole text, as a decimal's: each side alone within it let p/q be twice as long.
  if (text.length > MAX_NUMERIC_LENGTH)
    return `must be at most ${MAX_NUMERIC_LENGTH} characters long`;
  // Spaces are refused as a decimal's are, with the same words.
  if (text.trim() !== text) return 'must not have spaces around the number';
  if (/\s/.test(text)) return 'must not have spaces in a fraction p/q';
  const match = FRACTION_PATTERN.exec(text);
  if (!match) return 'a fraction is written p/q with whole numbers p and q, such as 1/3 or -22/7';
  const [, , denominator = ''] = match;
  return /^0+$/.test(denominator) ? 'the denominator of p/q must not be 0' : undefined;
}

/** The most helpful reason for text that does not match the grammar; checked in order. */
function malformedDecimalProblem(text: string): string {
  if (text.trim() !== text) return 'must not have spaces around the number';
  if (/^[+-]?(nan|inf|infinity)$/i.test(text)) {
    return 'NaN and Infinity are not numbers with an exact decimal value';
  }
  if (/^[+-]?0[xob]/i.test(text)) {
    return 'only decimal notation is accepted (no hexadecimal, octal or binary)';
  }
  if (text.startsWith('+')) return 'must not start with "+"; write positive numbers without a sign';
  if (/\d[,_ ]\d/.test(text)) return 'must not contain digit separators such as "," or "_"';
  if (/(^-?\.)|(\.($|[eE]))/.test(text)) return 'needs digits on both sides of the decimal point';
  return 'expected a decimal number such as 42, -1.5 or 6.02e23';
}
