/**
 * Random power cases, rule by rule, sent through the router as a new user would send them (Int
 * and Float literals, string literals, string variables; 30 aliased fields per operation) and
 * compared with the independent reference in exactReference.ts. A seeded generator makes a
 * failure reproducible: the message names the seed and the case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gql, signUp } from '../../../tests/support/graphql.js';
import { startTestSystem, type TestSystem } from '../../../tests/support/system.js';
import { expectedPower, fraction, type Expected, type Fraction } from './exactReference.js';

/** mulberry32: small, seedable, good enough to spread cases. */
export function randomSource(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T;
  const bigDigits = (digits: number) => {
    let text = String(int(1, 9));
    for (let i = 1; i < digits; i++) text += String(int(0, 9));
    return BigInt(text);
  };
  return { next, int, pick, bigDigits };
}
type Random = ReturnType<typeof randomSource>;

export interface PowerCase {
  base: Fraction;
  exponent: Fraction;
  /** Omitted: the schema default, 50. */
  precision?: number;
}

/** The rules of the property test: each makes one random case. */
export const rules: Record<string, (r: Random) => PowerCase> = {
  'integer base, negative integer exponent': (r) => ({
    base: fraction(BigInt(r.int(-1_000_000, 1_000_000)), 1n),
    exponent: fraction(BigInt(r.int(-40, -1)), 1n),
    precision: r.int(1, 1000),
  }),
  'decimal base, integer exponent of either sign': (r) => ({
    base: fraction(BigInt(r.int(-99_999, 99_999)), 10n ** BigInt(r.int(1, 6))),
    exponent: fraction(BigInt(r.int(-30, 30)), 1n),
    precision: r.int(1, 1000),
  }),
  'fractional base p/q, integer exponent': (r) => ({
    base: fraction(BigInt(r.int(-999, 999)), BigInt(r.int(1, 999))),
    exponent: fraction(BigInt(r.int(-20, 20)), 1n),
    precision: r.int(1, 1000),
  }),
  'exact roots: base = r^q, exponent p/q': (r) => {
    const q = r.int(1, 7);
    const root = fraction(BigInt(r.int(1, 300)), BigInt(r.pick([1, 2, 3, 4, 5, 7, 8, 10, 16, 25])));
    const negative = q % 2 === 1 && r.next() < 0.5;
    const power = BigInt(q);
    return {
      base: fraction((negative ? -1n : 1n) * root.num ** power, root.den ** power),
      exponent: fraction(BigInt(r.int(-9, 9)), power),
      precision: r.int(1, 1000),
    };
  },
  'irrational roots at precision 1 … 1000': (r) => {
    const q = r.int(2, 7);
    const base =
      r.next() < 0.5
        ? fraction(BigInt(r.int(2, 10_000)), 1n)
        : fraction(BigInt(r.int(1, 99_999)), BigInt(r.pick([3, 7, 10, 100, 12, 1000])));
    const negative = q % 2 === 1 && r.next() < 0.3;
    return {
      base: negative ? fraction(-base.num, base.den) : base,
      exponent: fraction(BigInt(r.pick([-1, 1]) * r.int(1, 25)), BigInt(q)),
      precision: r.int(1, 1000),
    };
  },
  'huge exponents of 0, 1 and -1': (r) => ({
    base: fraction(BigInt(r.pick([0, 1, -1])), 1n),
    exponent: fraction(
      r.bigDigits(r.int(17, 400)) * BigInt(r.pick([1, -1])) + BigInt(r.int(0, 1)),
      BigInt(r.pick([1, 1, 1, 3, 5])),
    ),
  }),
};

/** The ways a Numeric may be written; a Float literal only where the value is a decimal. */
function writeNumeric(value: Fraction, r: Random): { literal: string; variable?: string } {
  const decimal = decimalText(value);
  const text = decimal !== undefined && r.next() < 0.7 ? decimal : `${value.num}/${value.den}`;
  const how = r.int(0, 2);
  if (how === 0 && /^-?\d+(\.\d+)?$/.test(text)) return { literal: text };
  if (how === 1) return { literal: JSON.stringify(text) };
  return { literal: '', variable: text };
}

function decimalText({ num, den }: Fraction): string | undefined {
  let places = 0;
  let scale = 1n;
  while (scale % den !== 0n) {
    if (++places > 12) return undefined;
    scale *= 10n;
  }
  const m = num * (scale / den);
  const negative = m < 0n;
  const digits = (negative ? -m : m).toString().padStart(places + 1, '0');
  const text = places ? `${digits.slice(0, -places)}.${digits.slice(-places)}` : digits;
  return (negative ? '-' : '') + text;
}

interface Answer {
  result: string;
  exact: boolean;
  fraction: string | null;
}

/** Sends the cases 30 to an operation and returns a description of every mismatch. */
export async function checkCases(
  url: string,
  token: string,
  cases: PowerCase[],
  r: Random,
  label: string,
): Promise<string[]> {
  const failures: string[] = [];
  for (let start = 0; start < cases.length; start += 30) {
    const batch = cases.slice(start, start + 30);
    const variables: Record<string, string> = {};
    const declarations: string[] = [];
    const fields = batch.map((c, i) => {
      const argument = (name: string, value: Fraction) => {
        const written = writeNumeric(value, r);
        if (written.variable === undefined) return `${name}: ${written.literal}`;
        variables[`${name}${i}`] = written.variable;
        declarations.push(`$${name}${i}: Numeric!`);
        return `${name}: $${name}${i}`;
      };
      const args = [argument('base', c.base), argument('exponent', c.exponent)];
      if (c.precision !== undefined) args.push(`precision: ${c.precision}`);
      return `f${i}: power(${args.join(', ')}) { result exact fraction }`;
    });
    const query = `query${declarations.length ? `(${declarations.join(', ')})` : ''} { ${fields.join(' ')} }`;
    const response = await gql<Record<string, Answer | null>>(url, query, variables, bearer(token));
    batch.forEach((c, i) => {
      const expected = expectedPower(c.base, c.exponent, c.precision ?? 50);
      const answer = response.data?.[`f${i}`] ?? null;
      const error = response.errors?.find((e) => e.path?.[0] === `f${i}`);
      const problem = compare(expected, answer, error?.extensions?.['code'] as string | undefined);
      if (problem) {
        failures.push(
          `${label}: ${c.base.num}/${c.base.den} ^ ${c.exponent.num}/${c.exponent.den} ` +
            `(precision ${c.precision ?? 50}): ${problem}`,
        );
      }
    });
  }
  return failures;
}

function compare(
  expected: Expected,
  answer: Answer | null,
  code: string | undefined,
): string | undefined {
  if (expected.kind === 'error') {
    return code === expected.code
      ? undefined
      : `expected ${expected.code}, got ${code ?? JSON.stringify(answer)}`;
  }
  if (!answer) return `expected an answer, got ${code}`;
  switch (expected.kind) {
    case 'exact':
      return answer.result === expected.result && answer.exact && answer.fraction === null
        ? undefined
        : `expected exactly ${expected.result}, got ${JSON.stringify(answer)}`;
    case 'rational':
      return answer.result === expected.result &&
        !answer.exact &&
        answer.fraction === expected.fraction
        ? undefined
        : `expected ${expected.result} (${expected.fraction}), got ${JSON.stringify(answer)}`;
    case 'irrational':
      if (answer.exact || answer.fraction !== null)
        return `expected inexact, got ${JSON.stringify(answer)}`;
      return expected.check(answer.result);
  }
}

/** Room for 30 fields at precision 1000 in one operation. */
export const PROPERTY_MAX_DIGITS = 200_000;

/**
 * Starts a system for the file and checks `casesPerRule` random cases of every rule, with a fresh
 * seed each run (named in any failure). Returns the running system's router URL and a token.
 */
export function describePowerProperties(casesPerRule: number) {
  let system: TestSystem | undefined;
  const running = { url: '', token: '' };
  beforeAll(async () => {
    system = await startTestSystem({
      env: {
        MATH_MAX_DIGITS: String(PROPERTY_MAX_DIGITS),
        ROUTER_RATE_LIMIT_PER_MINUTE: '100000',
      },
    });
    running.url = system.urls.router;
    running.token = (await signUp(running.url, 'exact_power')).token;
  });
  afterAll(async () => {
    await system?.stop();
  });

  describe(`power matches the exact reference (${casesPerRule} cases per rule)`, () => {
    it.each(Object.keys(rules))('%s', async (rule) => {
      const seed = Math.floor(Math.random() * 2 ** 31);
      const random = randomSource(seed);
      const make = rules[rule] as (r: Random) => PowerCase;
      const cases = Array.from({ length: casesPerRule }, () => make(random));
      const failures = await checkCases(running.url, running.token, cases, random, `seed ${seed}`);
      expect(failures.slice(0, 10)).toEqual([]);
    });

    it('every precision from 1 to 1000, on random roots and fractions', async () => {
      const seed = Math.floor(Math.random() * 2 ** 31);
      const random = randomSource(seed);
      const roots = rules['irrational roots at precision 1 … 1000'] as (r: Random) => PowerCase;
      const fractions = rules['fractional base p/q, integer exponent'] as (r: Random) => PowerCase;
      const cases = Array.from({ length: 1000 }, (_, i) => ({
        ...(i % 2 === 0 ? roots(random) : fractions(random)),
        precision: i + 1,
      }));
      const failures = await checkCases(running.url, running.token, cases, random, `seed ${seed}`);
      expect(failures.slice(0, 10)).toEqual([]);
    });
  });
  return running;
}
