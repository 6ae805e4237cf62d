/**
 * Long results are shown folded: their leading and trailing characters around a count of what is
 * hidden. Slicing keeps the work proportional to what is shown, not to the million digits held.
 */
export type FoldedNumber =
  | { folded: false; text: string }
  | { folded: true; head: string; tail: string; hiddenDigits: number };

export const DEFAULT_FOLD_EDGE = 40;

/** Folds `text` when it is longer than twice `edge` plus a little, so folding always hides something worth hiding. */
export function foldDigits(text: string, edge = DEFAULT_FOLD_EDGE): FoldedNumber {
  if (text.length <= edge * 2 + 10) return { folded: false, text };
  const head = text.slice(0, edge);
  const tail = text.slice(-edge);
  return { folded: true, head, tail, hiddenDigits: countDigits(text, edge, text.length - edge) };
}

/** Decimal digits in `text[start, end)`; a sign or decimal point is not a digit. */
function countDigits(text: string, start: number, end: number): number {
  let digits = 0;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) digits++;
  }
  return digits;
}
