/**
 * The expression box's language: what people write for the three operations (`100!`, `2^-3`,
 * `(-8)^(1/3)`, `2**10`, `F(50)`, `fib(50)`), read into the form's operation and fields, and the
 * form written back as an expression so the two stay in step. The form's own rules then judge
 * the values, so a number means the same thing in either place.
 */
import { loweredExponent } from '../format/notation';
import type { Operation } from '../gql/graphql';
import type { ArgumentValues } from './calculationArguments';
import { typedNumber } from './operations';

export type ParsedExpression =
  | { ok: true; operation: Operation; values: Partial<ArgumentValues> }
  | { ok: false; error: string };

export const EXPRESSION_EXAMPLES = '100!, 2^-3, (-8)^(1/3), F(50)';

const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:\/\d+)?`;
/**
 * `100!`, `+5!`, and a negative n in parentheses (`(-1)!`), read so that the form says
 * factorial's own rule. A bare sign is captured apart: `-5!` is -(5!), not (-5)!.
 */
const FACTORIAL = new RegExp(String.raw`^(?:([+-]?)(\d+)|\(([+-]?\d+)\))!$`);
const FIBONACCI = new RegExp(String.raw`^(?:F|fib|fibonacci)\((${NUMBER})\)$`, 'i');
const POWER = /^(.+?)(?:\^|\*\*)(.+)$/;
const WHOLE_NUMBER = new RegExp(`^${NUMBER}$`);

/** A number, with one pair of parentheses around it allowed: `-8`, `(-8)`, `(1/3)`. */
function operand(text: string): string | null {
  const inner = text.startsWith('(') && text.endsWith(')') ? text.slice(1, -1) : text;
  return WHOLE_NUMBER.test(inner) ? inner : null;
}

export function parseExpression(text: string): ParsedExpression {
  // As the app writes a power in its titles and logs (2⁻³) too, so what it shows can be typed back.
  const compact = typedNumber(loweredExponent(text.replace(/\s+/g, '')));
  if (compact === '')
    return { ok: false, error: `Enter an expression such as ${EXPRESSION_EXAMPLES}.` };
  const factorial = FACTORIAL.exec(compact);
  if (factorial) {
    const [, sign, digits = '', inParentheses] = factorial;
    // As with ^ below: written maths binds ! tighter than a sign, so -5! is -(5!), which is not
    // one operation. Reading it as (-5)! would answer another question, and one factorial's
    // rule refuses (n from 0), so the way out offered is the factorial of 5. A plus sign changes
    // nothing: +5! is 5!.
    if (sign === '-')
      return {
        ok: false,
        error: `-${digits}! reads as -(${digits}!), which is not computed here. Write ${digits}! for the factorial of ${digits}.`,
      };
    return { ok: true, operation: 'FACTORIAL', values: { n: inParentheses ?? digits } };
  }
  const fibonacci = FIBONACCI.exec(compact);
  if (fibonacci) return { ok: true, operation: 'FIBONACCI', values: { n: fibonacci[1] } };
  const power = POWER.exec(compact);
  if (power) {
    const [, baseText = '', exponentText = ''] = power;
    const base = operand(baseText);
    const exponent = operand(exponentText);
    if (base !== null && exponent !== null) {
      // Written maths binds ^ tighter than a sign or a division: -3^2 is -(3^2) and 2^1/3 is
      // (2^1)/3, neither one power. Reading them as (-3)^2 or 2^(1/3) would answer another
      // question, so such a base or exponent must be in parentheses.
      if (base === baseText && /^[+-]|\//.test(base))
        return {
          ok: false,
          error: `Put a signed or fractional base in parentheses, e.g. (${base})^${exponentText}: as written, ^ comes first.`,
        };
      if (exponent === exponentText && exponent.includes('/'))
        return {
          ok: false,
          error: `Put a fractional exponent in parentheses, e.g. ${baseText}^(${exponent}): as written, ^ comes first.`,
        };
      return { ok: true, operation: 'POWER', values: { base, exponent } };
    }
  }
  return {
    ok: false,
    error: `Write n! for a factorial, a^b for a power or F(n) for Fibonacci, e.g. ${EXPRESSION_EXAMPLES}.`,
  };
}

/** Parentheses where a sign or fraction would otherwise read differently. */
function grouped(value: string): string {
  return /^[+-]|\//.test(value) ? `(${value})` : value;
}

/** The form's state as an expression; empty while a needed field is empty. */
export function expressionOf(operation: Operation, values: ArgumentValues): string {
  // As the fields are read (typedNumber): a Base of '−3' (U+2212) is grouped as '(-3)' too.
  const base = typedNumber(values.base);
  const exponent = typedNumber(values.exponent);
  const n = typedNumber(values.n);
  switch (operation) {
    case 'POWER':
      return base && exponent ? `${grouped(base)}^${grouped(exponent)}` : '';
    case 'FACTORIAL':
      return n ? `${grouped(n)}!` : '';
    case 'FIBONACCI':
      return n ? `F(${n})` : '';
  }
}
