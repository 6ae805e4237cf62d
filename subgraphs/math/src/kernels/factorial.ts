/**
 * Exact n! without the 1·2·…·n loop, which multiplies a huge number by a small one n times
 * (quadratic: ~7 s for 100000!). Instead Luschny's prime swing, as GMP's mpz_fac_ui does it:
 *
 * 1. n! = oddPart(n!) · 2^(n − popcount(n))   (Legendre: 2 divides n! exactly n − s₂(n) times),
 *    so the powers of two cost one shift at the end.
 * 2. n! = (⌊n/2⌋!)² · swing(n), where the swing swing(n) = n! / (⌊n/2⌋!)² is a small number
 *    (about 2^n, against n! ≈ 2^(n·log₂ n)), so oddPart(n!) = oddPart(⌊n/2⌋!)² · oddPart(swing(n)):
 *    one halving per level, and almost all the work is the multiplication at the top.
 * 3. swing(m) is known by its prime factors: p divides it ∑ᵢ (⌊m/pⁱ⌋ mod 2) times, which makes
 *    every prime in (m/2, m] a factor once, none in (m/3, m/2], and no prime power above m.
 *    The factors are multiplied by binary splitting, so the big multiplications pair operands of
 *    similar size, where V8's Karatsuba/Toom/FFT multiplication pays off; the leaves multiply
 *    small numbers as doubles while the product stays exact (< 2^53).
 *
 * Two levels are taken at a time (as GMP does):
 *   oddPart(m!) = oddPart(⌊m/4⌋!)⁴ · oddPart(swing(⌊m/2⌋))² · oddPart(swing(m)),
 * so the big operand is squared once per two levels and meets the small swings once, instead
 * of being multiplied by a swing at every level (~5 % faster for 10^6!). The swings are
 * multiplied into the square g as g · (g · swings); V8 squares barely faster than it multiplies,
 * and (g · g) · swings measured the same. For 10^6! all this is ~40 % faster than the previous
 * split-recursive product of odd numbers.
 */
import { DomainError } from './errors.js';

/** Largest n accepted; its factorial would be 2·10^10 digits, far past anything computable. */
export const MAX_FACTORIAL_N = 2 ** 31 - 1;

export function assertFactorialArgument(n: number): void {
  if (!Number.isInteger(n)) throw new DomainError('n', 'must be an integer');
  if (n < 0) throw new DomainError('n', 'must be 0 or more (factorial is defined for n >= 0)');
  if (n > MAX_FACTORIAL_N) throw new DomainError('n', `must be at most ${MAX_FACTORIAL_N}`);
}

export function factorial(n: number): bigint {
  assertFactorialArgument(n);
  if (n < 2) return 1n;
  const primes = oddPrimesUpTo(n);
  const factors = new Float64Array(primes.length); // scratch space for one swing's factors
  return oddPartOfFactorial(n, primes, factors) << BigInt(n - popcount(n));
}

/** oddPart(m!) by two levels of the swing recursion at a time; 0!, 1! and 2! have odd part 1. */
function oddPartOfFactorial(m: number, primes: Uint32Array, factors: Float64Array): bigint {
  if (m < 3) return 1n;
  const half = Math.floor(m / 2);
  const swing = oddPartOfSwing(m, primes, factors);
  if (half < 3) return swing;
  const quarter = oddPartOfFactorial(Math.floor(half / 2), primes, factors);
  const halfSwing = oddPartOfSwing(half, primes, factors);
  const swings = halfSwing * halfSwing * swing;
  const square = quarter * quarter;
  return square * (square * swings);
}

/**
 * oddPart(swing(m)) = ∏ p^e over the odd primes p ≤ m, with e = ∑ᵢ (⌊m/pⁱ⌋ mod 2). Each p^e is
 * at most m, so it is exact as a double. `primes` may go past m.
 */
function oddPartOfSwing(m: number, primes: Uint32Array, factors: Float64Array): bigint {
  const root = Math.floor(Math.sqrt(m));
  let count = 0;
  for (const p of primes) {
    if (p > m) break;
    if (p <= root) {
      // Several powers of p can divide m: multiply p in once per odd quotient.
      let primePower = 1;
      for (let q = Math.floor(m / p); q > 0; q = Math.floor(q / p))
        if (q % 2 === 1) primePower *= p;
      if (primePower > 1) factors[count++] = primePower;
    } else if (Math.floor(m / p) % 2 === 1) {
      factors[count++] = p; // p² > m: only the first quotient counts
    }
  }
  return productOf(factors, count);
}

/** The odd primes up to n, by a sieve over the odd numbers only. */
export function oddPrimesUpTo(n: number): Uint32Array {
  // Index i stands for the odd number 2i + 1; index 0 (the number 1) is not a prime.
  const size = Math.max(0, Math.floor((n - 1) / 2) + 1);
  const composite = new Uint8Array(size);
  let count = size > 0 ? size - 1 : 0;
  for (let i = 1; (2 * i + 1) ** 2 <= n; i++) {
    if (composite[i]) continue;
    const p = 2 * i + 1;
    for (let j = (p * p - 1) / 2; j < size; j += p) {
      if (!composite[j]) {
        composite[j] = 1;
        count--;
      }
    }
  }
  const primes = new Uint32Array(count);
  for (let i = 1, k = 0; i < size; i++) if (!composite[i]) primes[k++] = 2 * i + 1;
  return primes;
}

/**
 * The product of `values[0 … count)` (positive integers each below 2^53): runs are multiplied as
 * doubles while the product stays below 2^53, then the words by binary splitting.
 */
function productOf(values: Float64Array, count: number): bigint {
  const words: bigint[] = [];
  let word = 1;
  for (let i = 0; i < count; i++) {
    const value = values[i] as number;
    if (word * value > Number.MAX_SAFE_INTEGER) {
      words.push(BigInt(word));
      word = value;
    } else {
      word *= value;
    }
  }
  words.push(BigInt(word));
  return productOfWords(words, 0, words.length);
}

/** words[low] · … · words[high − 1], balanced. */
function productOfWords(words: bigint[], low: number, high: number): bigint {
  const count = high - low;
  if (count === 1) return words[low] as bigint;
  if (count === 2) return (words[low] as bigint) * (words[low + 1] as bigint);
  const middle = low + Math.floor(count / 2);
  return productOfWords(words, low, middle) * productOfWords(words, middle, high);
}

function popcount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}
