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

/** Plain characters of the raised ones `raised` writes. */
const LOWERED: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(SUPERSCRIPT).map(([plain, raisedCharacter]) => [raisedCharacter, plain]),
);
const RAISED_EXPONENT = new RegExp(`([${Object.values(SUPERSCRIPT).join('')}]+)$`, 'u');

/**
 * A raised exponent at the end of `text` written with `^` (`2⁻³` → `2^-3`, `(−2)²` → `(−2)^2`),
 * so a title the app shows can be typed back as it is; any other text unchanged.
 */
export function loweredExponent(text: string): string {
  return text.replace(
    RAISED_EXPONENT,
    (exponent) => `^${[...exponent].map((character) => LOWERED[character]).join('')}`,
  );
}

/** True when a base is written in parentheses: a sign, fraction or exponent would bind wrongly. */
function bracketsBase(base: string): boolean {
  return /^[+-]|[/eE]/.test(base);
}

/** A base in parentheses when a sign, fraction or exponent would otherwise bind wrongly. */
export function baseOf(base: string): string {
  return bracketsBase(base) ? `(${withMinus(base)})` : base;
}

/**
 * A base as a screen reader should say it: bracketed in words where it is written in
 * parentheses, so "(2/3)²" is not heard as 2 over 3², nor "(−2)²" as minus 2².
 */
export function spokenBase(base: string): string {
  return bracketsBase(base) ? `open bracket ${spoken(base)} close bracket,` : spoken(base);
}

/**
 * An exponent as a screen reader should say it: a fraction or exponent notation, written
 * `^(1/3)`, bracketed in words, so "2^(1/3)" is not heard as 2 to the power 1, over 3.
 */
export function spokenExponent(exponent: string): string {
  return /[/eE]/.test(exponent)
    ? `open bracket ${spoken(exponent)} close bracket`
    : spoken(exponent);
}

/** A number as a screen reader should say it: "minus 8", "2 over 3" (no typographic signs). */
export function spoken(value: string): string {
  return value.replace(/^-/, 'minus ').replace('/', ' over ');
}
