/**
 * Integer q-th roots: ⌊n^(1/q)⌋ for BigInt n ≥ 0, by Newton's method from above. The starting
 * value comes from the root of n's top half (recursively), so it already has half the bits right
 * and one or two full-size Newton steps finish: the cost is a few divisions of n's size.
 */
import { bitLength } from './decimalSummary.js';

/** ⌊n^(1/q)⌋ for n ≥ 0 and a whole q ≥ 1. */
export function integerRoot(n: bigint, q: number): bigint {
  if (n < 0n) throw new RangeError('integerRoot of a negative number');
  if (!Number.isSafeInteger(q) || q < 1) throw new RangeError(`bad root degree ${q}`);
  if (q === 1 || n < 2n) return n;
  const bits = bitLength(n);
  if (bits <= q) return 1n; // 2 ≤ n < 2^q
  const rootBits = Math.ceil(bits / q);
  if (rootBits <= 26) return smallRoot(n, q, bits);
  // root(n) < (root(n >> hq) + 1)·2^h, so this start is above the root, by about 2^(rootBits/2)·q.
  const h = Math.floor(rootBits / 2);
  const start = (integerRoot(n >> BigInt(h * q), q) + 1n) << BigInt(h);
  return newtonFromAbove(n, q, start);
}

/** Roots below 2^26: a double gives the neighbourhood, exact integer checks the answer. */
function smallRoot(n: bigint, q: number, bits: number): bigint {
  const log2 =
    bits <= 53 ? Math.log2(Number(n)) : Math.log2(Number(n >> BigInt(bits - 53))) + bits - 53;
  let r = BigInt(Math.floor(2 ** (log2 / q)));
  const big = BigInt(q);
  while (r > 0n && r ** big > n) r--;
  while ((r + 1n) ** big <= n) r++;
  return r;
}

/**
 * Newton's iteration x ← ((q−1)x + ⌊n / x^(q−1)⌋) / q from any x ≥ ⌊n^(1/q)⌋ decreases to the
 * root and stops there: the first step that does not decrease means x is the answer. Near the
 * root a step moves about as far as x is from it, so once a step moves by 2 or less the last
 * units are settled by comparing powers, which saves the confirming division (the dearest step).
 */
function newtonFromAbove(n: bigint, q: number, start: bigint): bigint {
  const big = BigInt(q);
  const below = big - 1n;
  let x = start;
  for (;;) {
    const next = (below * x + n / x ** below) / big;
    if (next >= x) return x;
    if (x - next <= 2n) {
      // next ≥ the root still (Newton from above never undershoots): walk down to it.
      let r = next;
      while (r ** big > n) r--;
      return r;
    }
    x = next;
  }
}

/** The exact q-th root of n ≥ 0 when n is a perfect q-th power, else undefined. */
export function exactRoot(n: bigint, q: number): bigint | undefined {
  if (q === 1 || n < 2n) return n;
  // 2^q > n means the root is 1, and n = 1 was handled: not a perfect power.
  if (bitLength(n) <= q) return undefined;
  const r = integerRoot(n, q);
  return r ** BigInt(q) === n ? r : undefined;
}
