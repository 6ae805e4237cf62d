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
  '/': 'ᐟ',
};

/** The typographic minus sign in place of a hyphen. */
export function withMinus(value: string): string {
  return value.replace(/^-/, '−').replace(/e-/i, 'e−');
}

/** An exponent raised when it is made of characters with superscript forms, else `^(…)`. */
export function raised(exponent: string): string {
  if (/^[+-]?\d+(?:\/\d+)?$/.test(exponent) && exponent.length <= 12) {
    return [...exponent].map((character) => SUPERSCRIPT[character] ?? character).join('');
  }
  return `^(${withMinus(exponent)})`;
}

/** A base in parentheses when a sign, fraction or exponent would otherwise bind wrongly. */
export function baseOf(base: string): string {
  return /^[+-]|[/eE]/.test(base) ? `(${withMinus(base)})` : base;
}
