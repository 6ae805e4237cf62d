import { describe, expect, it } from 'vitest';
import { foldDigits } from './foldDigits';

describe('foldDigits', () => {
  it('leaves a result that fits on screen unfolded', () => {
    expect(foldDigits('3628800', 40)).toEqual({ folded: false, text: '3628800' });
  });

  it('does not fold when folding would hide only a few characters', () => {
    const text = '1'.repeat(90);
    expect(foldDigits(text, 40)).toEqual({ folded: false, text });
  });

  it('keeps the leading and trailing characters and counts what is hidden', () => {
    const text = `12345${'0'.repeat(100)}67890`;
    expect(foldDigits(text, 5)).toEqual({
      folded: true,
      head: '12345',
      tail: '67890',
      hiddenDigits: 100,
    });
  });

  it('does not count a sign or decimal point as a hidden digit', () => {
    const text = `-${'9'.repeat(30)}.${'1'.repeat(30)}`;
    const fold = foldDigits(text, 3);
    expect(fold).toMatchObject({ folded: true, head: '-99', tail: '111' });
    expect(fold.folded && fold.hiddenDigits).toBe(60 - 2 - 3);
  });

  it('folds a million-digit result into a few dozen characters', () => {
    const text = '7'.repeat(1_000_000);
    const fold = foldDigits(text);
    expect(fold.folded).toBe(true);
    if (!fold.folded) return;
    expect(fold.head.length + fold.tail.length).toBe(80);
    expect(fold.hiddenDigits).toBe(1_000_000 - 80);
  });
});
