/**
 * power through the router against an independent exact reference (support/exactReference.ts):
 * random cases for every rule, written as literals, strings and variables; and the digit budget
 * decided by the exact size at its boundary. exactPower.slow.test.ts runs many more cases.
 */
import { describe, expect, it } from 'vitest';
import { bearer, gql } from '../../tests/support/graphql.js';
import {
  describePowerProperties,
  PROPERTY_MAX_DIGITS as MAX_DIGITS,
} from './support/powerProperties.js';

const running = describePowerProperties(1000);

describe('the digit budget at its boundary', () => {
  const ask = (base: string, exponent: string) =>
    gql<{ power: { digits: number } | null }>(
      running.url,
      `{ power(base: "${base}", exponent: "${exponent}") { digits } }`,
      {},
      bearer(running.token),
    );
  const nines = (count: number) => '9'.repeat(count);

  it('answers a 9-heavy power with exactly MATH_MAX_DIGITS digits', async () => {
    // (10^50 − 1)^4000 has 200000 digits; its log10 is a hair below that, where estimates waver.
    const answer = await ask(nines(50), '4000');
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.power?.digits).toBe(MAX_DIGITS);
  });

  it('refuses one digit more, with the exact count', async () => {
    const answer = await ask(`1${'0'.repeat(50)}`, '4000'); // 10^200000: 200001 digits
    expect(answer.data?.power).toBeNull();
    expect(answer.errors?.[0]?.extensions?.['code']).toBe('RESULT_TOO_LARGE');
    expect(answer.errors?.[0]?.extensions?.['predictedDigits']).toBe(MAX_DIGITS + 1);
  });

  it('answers a fraction at the boundary and refuses one past it', async () => {
    // 0.9^k is "0." and k fractional digits (9^k is shorter than k): k + 1 digits.
    const fits = await ask('0.9', String(MAX_DIGITS - 1));
    expect(fits.data?.power?.digits).toBe(MAX_DIGITS);
    const over = await ask('0.9', String(MAX_DIGITS));
    expect(over.errors?.[0]?.extensions?.['code']).toBe('RESULT_TOO_LARGE');
  });

  it('refuses a precision beyond the budget', async () => {
    const answer = await gql(
      running.url,
      `{ power(base: 2, exponent: "1/2", precision: ${MAX_DIGITS + 1}) { digits } }`,
      {},
      bearer(running.token),
    );
    expect(answer.errors?.[0]?.extensions?.['code']).toBe('RESULT_TOO_LARGE');
  });
});
