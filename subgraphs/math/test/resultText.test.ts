/**
 * The decimal text of a result is written only when `result` is selected. Without it, the
 * digit count and the log's resultPreview come from arithmetic on the number (see
 * kernels/decimalSummary.ts) and must be exactly what the text would give.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preview } from '../src/kernels/decimal.js';
import { newCaller, startMath, type RunningMath } from './mathService.js';

let math: RunningMath;
const caller = newCaller('text');

beforeAll(async () => {
  math = await startMath();
  await math.call('{ factorial(n: 6000) { digits } }', {}, caller); // a started worker thread
});
afterAll(async () => {
  await math?.stop();
});

const LOG = 'log { resultPreview digits }';

describe('result text only when selected', () => {
  // Digit counts from Python's own big integers (len(str(x))).
  it.for([
    ['factorial(n: 200000)', 973351],
    ['fibonacci(n: -300001)', 62697],
    ['power(base: "0.5", exponent: 20000)', 20001], // "0.0000…": the point among the leading digits
    ['power(base: "-123.456", exponent: 3001)', 15280], // negative, the point mid-number
    ['power(base: 7, exponent: 400000)', 338040],
  ] as const)(
    '%s: same digits and preview with and without the text',
    async ([field, digits], { annotate }) => {
      const started = performance.now();
      const summary = await math.call(`{ ${field} { digits cached ${LOG} } }`, {}, caller);
      const summaryMs = performance.now() - started;
      const textStarted = performance.now();
      const whole = await math.call(`{ ${field} { digits cached result ${LOG} } }`, {}, caller);
      const textMs = performance.now() - textStarted;
      expect(summary.body.errors).toBeUndefined();
      expect(whole.body.errors).toBeUndefined();

      const withoutText = Object.values(summary.body.data ?? {})[0];
      const withText = Object.values(whole.body.data ?? {})[0];
      // The text-less cache entry cannot serve a request for the text: computed both times.
      expect([withoutText.cached, withText.cached]).toEqual([false, false]);
      expect(withText.digits).toBe(digits);
      expect(withoutText.digits).toBe(digits);
      expect(withoutText.log).toEqual({ digits, resultPreview: preview(withText.result) });
      expect(withText.log).toEqual(withoutText.log);
      await annotate(
        `measured: ${field} without result ${summaryMs.toFixed(0)} ms, with result ` +
          `${textMs.toFixed(0)} ms (×${(textMs / summaryMs).toFixed(1)})`,
      );
    },
  );
});
