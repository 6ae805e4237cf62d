/**
 * Mathematical notation for calculation titles: superscript exponents, the typographic minus,
 * and parentheses where a sign or fraction would otherwise bind wrongly.
 */
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
};

/** The typographic minus sign in place of a hyphen. */
export function withMinus(value: string): string {
  return value.replace(/^-/, '−').replace(/e-/i, 'e−');
}

/**
 * A whole exponent raised (`2¹⁰`, `2⁻³`), any other `^(…)`: a fraction as a decimal is
 * (`8^(2/3)` beside `2^(0.5)`), since a raised `²ᐟ³` reads as neither.
 */
export function raised(exponent: string): string {
  if (/^[+-]?\d+$/.test(exponent) && exponent.length <= 12) {
    return [...exponent].map((character) => SUPERSCRIPT[character] ?? character).join('');
  }
  return `^(${withMinus(exponent)})`;
}

/** A base in parentheses when a sign, fraction or exponent would otherwise bind wrongly. */
export function baseOf(base: string): string {
  return /^[+-]|[/eE]/.test(base) ? `(${withMinus(base)})` : base;
}

/** A number as a screen reader should say it: "minus 8", "2 over 3" (no typographic signs). */
export function spoken(value: string): string {
  return value.replace(/^-/, 'minus ').replace('/', ' over ');
}
