/** Names a calculation for headings, announcements and downloads, from what the server echoed back. */
import type { Operation } from '../gql/graphql';

export const OPERATION_NAMES: Readonly<Record<Operation, string>> = {
  POWER: 'Power',
  FACTORIAL: 'Factorial',
  FIBONACCI: 'Fibonacci',
};

/** The arguments in a calculation's canonical JSON input, as text; null if it is not that. */
function argumentsOf(input: string): Record<string, string> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const entries = Object.entries(parsed).map(([name, value]) => [name, String(value)]);
  return Object.fromEntries(entries);
}

const SUPERSCRIPT: Readonly<Record<string, string>> = {
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
  '-': '⁻',
  '+': '⁺',
  '/': 'ᐟ',
};

/** The typographic minus sign in place of a hyphen. */
function withMinus(value: string): string {
  return value.replace(/^-/, '−').replace(/e-/i, 'e−');
}

/** An exponent raised when it is made of characters with superscript forms, else `^(…)`. */
function raised(exponent: string): string {
  if (/^[+-]?\d+(?:\/\d+)?$/.test(exponent) && exponent.length <= 12) {
    return [...exponent].map((character) => SUPERSCRIPT[character] ?? character).join('');
  }
  return `^(${withMinus(exponent)})`;
}

/** A base in parentheses when a sign, fraction or exponent would otherwise bind wrongly. */
function baseOf(base: string): string {
  return /^[+-]|[/eE]/.test(base) ? `(${withMinus(base)})` : base;
}

/** "2¹⁰", "(−2)²", "2⁻³", "(−8)^(0.5)", "100!", "F(−8)"; the operation's name with its raw input when the input is unexpected. */
export function describeCalculation(operation: Operation, input: string): string {
  const args = argumentsOf(input);
  if (operation === 'POWER' && args?.['base'] !== undefined && args['exponent'] !== undefined) {
    return `${baseOf(args['base'])}${raised(args['exponent'])}`;
  }
  if (operation === 'FACTORIAL' && args?.['n'] !== undefined) return `${args['n']}!`;
  if (operation === 'FIBONACCI' && args?.['n'] !== undefined) return `F(${withMinus(args['n'])})`;
  return `${OPERATION_NAMES[operation]} ${input}`;
}

/** A file name safe on every desktop system: "power-2-10.txt", "fibonacci--5.txt". */
export function resultFileName(operation: Operation, input: string): string {
  const values = Object.values(argumentsOf(input) ?? {});
  const stem = [operation.toLowerCase(), ...values].join('-').replace(/[^A-Za-z0-9.+-]/g, '_');
  return `${stem.slice(0, 120)}.txt`;
}
