/**
 * RESULT_TOO_LARGE is decided from the predicted size, before anything is computed, and one
 * operation's math fields share one budget (MATH_MAX_DIGITS, default 1,000,000 digits), so
 * aliases cannot multiply it. "Nothing computed" is read from the service's own metrics: no
 * cache lookup and no computation happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, newCaller, startMath, type RunningMath } from './mathService.js';

let math: RunningMath;

beforeAll(async () => {
  math = await startMath();
});
afterAll(async () => {
  await math?.stop();
});

/** Computations and cache lookups so far: both stay put when nothing is computed. */
async function work(): Promise<{ computations: number; lookups: number }> {
  const text = await math.metrics();
  return {
    computations: metricValue(text, 'math_computations_total'),
    lookups: metricValue(text, 'math_cache_lookups_total'),
  };
}

describe('RESULT_TOO_LARGE', () => {
  // Digit counts from Python: floor(log10(x)) + 1 by math.lgamma and math.log10.
  it.for([
    ['factorial(n: 2000000000)', 17_733_471_033],
    ['fibonacci(n: 5000000)', 1_044_938],
    ['power(base: 2, exponent: 10000000)', 3_010_300],
    ['power(base: 7, exponent: "1e12")', 845_098_040_015],
    // Beyond 2^53 the count is a double, as in the message ("about 8.45 × 10^16 digits").
    ['power(base: 7, exponent: "1e17")', 84_509_804_001_425_680],
  ] as const)(
    '%s is refused before computing, with maxDigits and predictedDigits',
    async ([field, predicted], { annotate }) => {
      const caller = newCaller('too_large');
      const before = await work();
      const started = performance.now();
      const { body } = await math.call(`{ ${field} { digits } }`, {}, caller);
      const answeredMs = performance.now() - started;
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]?.extensions).toMatchObject({
        code: 'RESULT_TOO_LARGE',
        maxDigits: 1_000_000,
      });
      const predictedDigits = body.errors?.[0]?.extensions?.['predictedDigits'] as number;
      // Counts are written as people read them: 17,733,471,033 or 8.45 × 10^16, never 8.45e+16.
      expect(body.errors?.[0]?.message).toMatch(
        /^The result would have about (\d{1,3}(,\d{3})*|\d\.\d\d × 10\^\d+) digits; the limit is 1,000,000$/,
      );
      // Predictions are upper bounds at most one digit high (kernels/size.ts).
      expect(Math.abs(predictedDigits - predicted) / predicted).toBeLessThan(1e-6);
      expect(await work()).toEqual(before);
      const [row] = await math.logRows({ userId: caller.id });
      expect(row?.status).toBe('RESULT_TOO_LARGE');
      await annotate(`measured: answered in ${answeredMs.toFixed(1)} ms over HTTP, log included`);
    },
  );
});

describe('RESULT_TOO_LARGE beyond what a double counts', () => {
  it.each([
    ['7^(1e400)', '{ power(base: 7, exponent: "1e400") { digits } }'],
    ['0.5^(-1e100000)', '{ power(base: "0.5", exponent: "-1e100000") { digits } }'],
    ['10^(1e100000)', '{ power(base: 10, exponent: "1e100000") { digits } }'],
  ])(
    '%s: says more than 10^300 digits, and predictedDigits is that bound, marked as one',
    async (_name, query) => {
      const { body } = await math.call(query, {}, newCaller('astronomic'));
      expect(body.errors?.[0]?.message).toBe(
        'The result would have more than 10^300 digits; the limit is 1,000,000',
      );
      expect(body.errors?.[0]?.extensions).toMatchObject({
        code: 'RESULT_TOO_LARGE',
        maxDigits: 1_000_000,
        predictedDigits: 1e300,
        predictedDigitsIsLowerBound: true,
      });
    },
  );
});

describe('one budget per operation', () => {
  const each150000 = 711_273; // digits of 150000!, predicted within one

  it('admits fields in the order written while they fit: one 150000! answered, the next refused, a small one after them answered', async () => {
    const caller = newCaller('aliases');
    const before = await work();
    const { body } = await math.call(
      `{ a: factorial(n: 150000) { digits } ...more c: factorial(n: 10) { result } }
       fragment more on Query { b: factorial(n: 150000) { digits } }`,
      {},
      caller,
    );
    // The refused field is null beside its own error; the others keep their answers.
    expect(body.data).toEqual({ a: { digits: each150000 }, b: null, c: { result: '3628800' } });
    expect(body.errors?.map((e) => [e.path, e.extensions?.['code']])).toEqual([
      [['b'], 'RESULT_TOO_LARGE'],
    ]);
    const total = body.errors?.[0]?.extensions?.['predictedDigits'] as number;
    expect(total).toBeGreaterThanOrEqual(2 * each150000 - 2); // the least both can be
    expect(total).toBeLessThanOrEqual(2 * each150000 + 2);
    expect(body.errors?.[0]?.message).toMatch(
      /^The result would have about 711,27\d digits \(about 1,422,5\d\d with the fields before it in this request\); the limit is 1,000,000$/,
    );
    // b was never computed: one lookup and computation each for a and c.
    const after = await work();
    expect(after.computations - before.computations).toBe(2);
    const rows = await math.logRows({ userId: caller.id });
    expect(rows.map((r) => r.status).sort()).toEqual(['RESULT_TOO_LARGE', 'ok', 'ok']);
  });

  it('counts a result whose size is known exactly at its exact size in a refusal: 10! has 7 digits', async () => {
    // F(4784969) is the first Fibonacci number of 1,000,000 digits: it fills the budget alone.
    const { body } = await math.call(
      '{ f: fibonacci(n: 4784969) { digits } g: factorial(n: 10) { digits } }',
      {},
      newCaller('exact_sizes'),
    );
    expect(body.data).toEqual({ f: { digits: 1_000_000 }, g: null });
    expect(body.errors).toEqual([
      expect.objectContaining({
        path: ['g'],
        message:
          'The result would have about 7 digits (about 1,000,007 with the fields before it in this request); the limit is 1,000,000',
        extensions: expect.objectContaining({
          code: 'RESULT_TOO_LARGE',
          maxDigits: 1_000_000,
          predictedDigits: 1_000_007,
        }),
      }),
    ]);
  });

  it('gives the range, not its low end as "about", for a rounded result refused beside others', async () => {
    // √2 to 500,000 digits: its trailing zeros are unknown, so 1 to 500,000 digits; it is
    // admitted by the least, 1, which is what did not fit beside F(4784969).
    const { body } = await math.call(
      `{ f: fibonacci(n: 4784969) { digits }
         r: power(base: 2, exponent: "1/2", precision: 500000) { digits }
         s: factorial(n: 3) { digits } }`,
      {},
      newCaller('rounded_range'),
    );
    expect(body.data).toEqual({ f: { digits: 1_000_000 }, r: null, s: null });
    expect(body.errors).toEqual([
      expect.objectContaining({
        path: ['r'],
        message:
          'The result would have between 1 and 500,000 digits (at least 1,000,001 with the fields before it in this request); the limit is 1,000,000',
        extensions: expect.objectContaining({
          code: 'RESULT_TOO_LARGE',
          predictedDigits: 1_000_001,
        }),
      }),
      // 3! = 6: one digit, exactly known; the refused r is not counted.
      expect.objectContaining({
        path: ['s'],
        message:
          'The result would have about 1 digit (about 1,000,001 with the fields before it in this request); the limit is 1,000,000',
      }),
    ]);
  });

  it('answers aliased fields that fit together, and does not count a skipped one', async () => {
    const caller = newCaller('fits');
    const fit = await math.call(
      '{ a: factorial(n: 100000) { digits } b: fibonacci(n: 100000) { digits } }',
      {},
      caller,
    );
    expect(fit.body.errors).toBeUndefined();
    expect(fit.body.data).toEqual({ a: { digits: 456574 }, b: { digits: 20899 } });

    const skipped = await math.call(
      `query($big: Boolean!) {
         a: factorial(n: 150000) { digits }
         b: factorial(n: 150000) @include(if: $big) { digits }
       }`,
      { big: false },
      caller,
    );
    expect(skipped.body.errors).toBeUndefined();
    expect(skipped.body.data).toEqual({ a: { digits: each150000 } });
  });
});

describe('a rounded answer at the most precision the limit allows', () => {
  let small: RunningMath;
  beforeAll(async () => {
    small = await startMath({ env: { MATH_MAX_DIGITS: '1000' } });
  });
  afterAll(async () => {
    await small?.stop();
  });

  it('says how many significant digits fit when the answer, below 1, is written with its 0 before the point', async () => {
    const caller = newCaller('precision_advice');
    const ask = async (precision: number) =>
      (
        await small.call(
          `{ power(base: 7, exponent: "-1/2", precision: ${precision}) { digits result } }`,
          {},
          caller,
        )
      ).body;
    expect((await ask(1000)).errors?.[0]).toMatchObject({
      message:
        'The result would have about 1,001 digits; the limit is 1,000: ask for at most 999 significant digits (precision 1,000 was asked for)',
      extensions: { code: 'RESULT_TOO_LARGE', maxDigits: 1000, predictedDigits: 1001 },
    });
    // What the advice says fits does: 1/√7 = 0.3779644730…, 999 significant digits.
    const answered = await ask(999);
    expect(answered.errors).toBeUndefined();
    expect(answered.data?.['power']).toMatchObject({
      digits: 1000,
      result: expect.stringMatching(/^0\.3779644730\d{989}$/),
    });
  });

  // Refused on its prediction alone (far past the limit, nothing computed), a rounded answer was
  // told the limit without the advice a computed one gets (found by a probe).
  it('says how many significant digits fit when a rounded answer is refused before it is computed', async () => {
    const caller = newCaller('precision_advice_predicted');
    const ask = async (precision: number) =>
      (
        await small.call(
          `{ power(base: "2e-1000", exponent: "1/2", precision: ${precision}) { digits } }`,
          {},
          caller,
        )
      ).body;
    const refused = (await ask(900)).errors?.[0];
    expect(refused?.extensions?.['code']).toBe('RESULT_TOO_LARGE');
    const advised = Number(
      /: ask for at most ([\d,]+) significant digits \(precision 900 was asked for\)$/
        .exec(refused?.message ?? '')?.[1]
        ?.replaceAll(',', ''),
    );
    // √(2·10^-1000) = 1.414…·10^-500: "0.", 499 zeros, then the significant digits.
    expect(advised).toBeGreaterThan(400);
    expect((await ask(advised)).errors).toBeUndefined();
    expect((await ask(advised + 1)).errors?.[0]?.extensions?.['code']).toBe('RESULT_TOO_LARGE');
  });

  // The root's own work bound allows 1,999,999 digits of √2; the digit limit allows fewer, and
  // the refusal suggested the larger, which RESULT_TOO_LARGE then refused (found by a probe).
  it('suggests no more significant digits than an answer may have, when a precision is too large for the root', async () => {
    const caller = newCaller('precision_cap');
    const ask = async (precision: number) =>
      (
        await small.call(
          `{ power(base: 2, exponent: "1/2", precision: ${precision}) { digits } }`,
          {},
          caller,
        )
      ).body;
    const refused = (await ask(2_147_483_647)).errors?.[0];
    expect(refused?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'precision' });
    expect(refused?.message).toMatch(
      /^precision: at most 1,000 significant digits for this root \(an answer has at most 1,000 digits\): /,
    );
    expect((await ask(1000)).data?.['power']).toEqual({ digits: 1000 });
  });

  it('says "1 significant digit" when one is all that fits', async () => {
    const caller = newCaller('precision_one');
    const ask = async (precision: number) =>
      (
        await small.call(
          `{ power(base: "2e-1998", exponent: "1/2", precision: ${precision}) { digits } }`,
          {},
          caller,
        )
      ).body;
    // √(2·10^-1998) = 1.414…·10^-999: "0.", 998 zeros, then the significant digits.
    expect((await ask(2)).errors?.[0]?.message).toMatch(
      /: ask for at most 1 significant digit \(precision 2 was asked for\)$/,
    );
    expect((await ask(1)).data?.['power']).toEqual({ digits: 1000 });
  });

  // A probe read "the result would have about 1,000,002 digits" where the answer's `digits` counts
  // its result alone: the budget counts the fraction too (README), and the refusal now says so.
  it('says the fraction is counted when a rational answer with no finite decimal is refused', async () => {
    const caller = newCaller('fraction_counted');
    const ask = async (exponent: number, precision = 5) =>
      (
        await small.call(
          `{ power(base: 3, exponent: "${exponent}", precision: ${precision}) { digits fraction } }`,
          {},
          caller,
        )
      ).body;
    // Refused on its prediction: 3^-1050 = 0.(500 zeros)…, 502 to 506 digits at precision 5
    // (trailing zeros go), and "1/3^1050", 502 digits.
    expect((await ask(-1050)).errors?.[0]).toMatchObject({
      message:
        'The result and its fraction would have between 1,004 and 1,008 digits; the limit is 1,000',
      extensions: { code: 'RESULT_TOO_LARGE', predictedDigits: 1004 },
    });
    // Near the limit, computed, and refused on its size.
    expect((await ask(-1044, 3)).errors?.[0]?.message).toBe(
      'The result and its fraction would have about 1,002 digits; the limit is 1,000: ' +
        'ask for at most 1 significant digit (precision 3 was asked for)',
    );
    // Admitted by the plan on the least it could be (958 digits), refused by the field on the
    // most (1,057): the advice is what fits, result and fraction together.
    expect((await ask(-1000, 100)).errors?.[0]?.message).toBe(
      'The result and its fraction would have about 1,057 digits; the limit is 1,000: ' +
        'ask for at most 43 significant digits (precision 100 was asked for)',
    );
    expect((await ask(-1000, 43)).data?.['power']).toMatchObject({ digits: 521 });
    // 3^-1000: 483 digits of result (the field counts those alone) and 479 of fraction.
    const answered = (await ask(-1000)).data?.['power'] as { digits: number; fraction: string };
    expect(answered.digits).toBe(483);
    expect(answered.fraction.replace('/', '')).toHaveLength(479);
  });

  it('says "the result" alone when the answer has no fraction', async () => {
    const { body } = await small.call(
      '{ power(base: 7, exponent: "1/2", precision: 1001) { digits } }',
      {},
      newCaller('no_fraction'),
    );
    expect(body.errors?.[0]?.message).toMatch(/^The result would have about /);
  });
});
