import { describe, expect, it } from 'vitest';
import { describeCalculation } from './describeCalculation';
import { expressionOf, parseExpression } from './expression';
import { OPERATIONS } from './operations';

describe('parseExpression', () => {
  it.each([
    ['100!', 'FACTORIAL', { n: '100' }],
    ['2^-3', 'POWER', { base: '2', exponent: '-3' }],
    ['(-8)^(1/3)', 'POWER', { base: '-8', exponent: '1/3' }],
    ['2 ** 10', 'POWER', { base: '2', exponent: '10' }],
    ['F(50)', 'FIBONACCI', { n: '50' }],
    ['fib(-8)', 'FIBONACCI', { n: '-8' }],
    ['1.5^2', 'POWER', { base: '1.5', exponent: '2' }],
    // A negative n in parentheses is read as a factorial, for the form to say factorial's rule
    // (n from 0).
    ['(-1)!', 'FACTORIAL', { n: '-1' }],
    ['(-5)!', 'FACTORIAL', { n: '-5' }],
    // A plus sign changes nothing: +5! is 5!, and the form gets 5.
    ['+5!', 'FACTORIAL', { n: '5' }],
    ['+ 5 !', 'FACTORIAL', { n: '5' }],
  ])('reads %s', (text, operation, values) => {
    expect(parseExpression(text)).toEqual({ ok: true, operation, values });
  });

  it.each([
    ['POWER', { base: '2', exponent: '-3' }],
    ['POWER', { base: '-2', exponent: '2' }],
    ['POWER', { base: '2', exponent: '10' }],
    ['POWER', { base: '1.5', exponent: '+2' }],
    ['POWER', { base: '-8', exponent: '1/3' }],
    ['FIBONACCI', { n: '-8' }],
    ['FACTORIAL', { n: '100' }],
  ] as const)('reads back the title the app writes for %s %o', (operation, values) => {
    const title = describeCalculation(operation, JSON.stringify(values));
    expect([title, parseExpression(title)]).toEqual([
      title,
      { ok: true, operation, values: { ...values } },
    ]);
  });

  it.each([
    ['-3^2', /signed or fractional base in parentheses, e\.g\. \(-3\)\^2/],
    ['2/3^2', /signed or fractional base in parentheses, e\.g\. \(2\/3\)\^2/],
    ['2^1/3', /fractional exponent in parentheses, e\.g\. 2\^\(1\/3\)/],
  ])('asks for parentheses where ^ would bind first: %s', (text, message) => {
    const parsed = parseExpression(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(message);
  });

  it.each([
    ['-5!', '-5!', '5'],
    ['- 5 !', '-5!', '5'],
    ['\u22125!', '-5!', '5'], // the minus sign U+2212, as the app writes it
    ['-0!', '-0!', '0'],
  ])('refuses %s, which is -(n!), and says to write n! for the factorial', (text, read, n) => {
    const parsed = parseExpression(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toBe(
      `${read} reads as -(${n}!), which is not computed here. Write ${n}! for the factorial of ${n}.`,
    );
  });

  it('suggests for -5! only what it then reads and factorial accepts', () => {
    const parsed = parseExpression('-5!');
    const suggested = !parsed.ok && /write (\S+?):? /i.exec(parsed.error)?.[1];
    const read = parseExpression(suggested || '');
    expect(read).toMatchObject({ ok: true, operation: 'FACTORIAL' });
    expect(
      OPERATIONS.FACTORIAL.validate('n', read.ok ? (read.values.n ?? '') : ''),
    ).toBeUndefined();
  });

  it('explains what it understands when it cannot read the text', () => {
    const parsed = parseExpression('2 + 2');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(/n! for a factorial/);
  });
});

describe('expressionOf', () => {
  it('writes the form back in the notation the box reads', () => {
    const values = { base: '-8', exponent: '1/3', n: '50', precision: '' };
    expect(expressionOf('POWER', values)).toBe('(-8)^(1/3)');
    expect(expressionOf('FACTORIAL', values)).toBe('50!');
    expect(expressionOf('FACTORIAL', { ...values, n: '-5' })).toBe('(-5)!');
    expect(expressionOf('FIBONACCI', values)).toBe('F(50)');
    expect(parseExpression(expressionOf('POWER', values))).toMatchObject({
      values: { base: '-8', exponent: '1/3' },
    });
  });

  it('never writes a signed n as -5!, which the box would refuse: always grouped, (-5)!', () => {
    const empty = { base: '', exponent: '', n: '', precision: '' };
    for (const [n, written, read] of [
      ['-5', '(-5)!', '-5'],
      ['\u22125', '(-5)!', '-5'], // U+2212
      ['\u20135', '(-5)!', '-5'], // an en dash
      [' -5 ', '(-5)!', '-5'],
      ['-0', '(-0)!', '-0'],
      ['+5', '(+5)!', '+5'],
    ] as const) {
      const expression = expressionOf('FACTORIAL', { ...empty, n });
      expect(expression).toBe(written);
      expect(parseExpression(expression)).toEqual({
        ok: true,
        operation: 'FACTORIAL',
        values: { n: read },
      });
    }
  });

  it('groups a base typed with the minus sign U+2212, so the box reads what the form computes', () => {
    const values = { base: '\u22123', exponent: '2', n: '', precision: '' };
    expect(expressionOf('POWER', values)).toBe('(-3)^2');
    expect(parseExpression(expressionOf('POWER', values))).toMatchObject({
      values: { base: '-3', exponent: '2' },
    });
  });
});
