/**
 * Reference facts about large results, computed once with CPython 3.11 (an implementation that
 * shares nothing with V8's BigInt) and committed, so the kernels are checked against an
 * independent source rather than against themselves:
 *
 *   import math, hashlib, sys; sys.set_int_max_str_digits(0)
 *   def fib(n):
 *       a, b = 0, 1
 *       for _ in range(n): a, b = b, a + b
 *       return a
 *   for v in (math.factorial(10000), fib(100000), 7**100000, math.factorial(100000)):
 *       s = str(v); print(len(s), hashlib.sha256(s.encode()).hexdigest(), s[:40], s.rstrip('0')[-40:])
 */
export interface BigValueFixture {
  /** Decimal digits of the result. */
  digits: number;
  /** SHA-256 (hex) of the decimal text, no sign. */
  sha256: string;
  /** The first 30 digits. */
  leading: string;
}

export const FACTORIAL_10000: BigValueFixture = {
  digits: 35660,
  sha256: 'f17f312be51414ec57f0fda0b1589003663a505df1ef2aafac40bb3be2e46c8e',
  leading: '284625968091705451890641321211',
};

export const FIBONACCI_100000: BigValueFixture = {
  digits: 20899,
  sha256: '9fe22f691a91170da9006226d479ad986b2f92021b7045ecfb0a5091b641b802',
  leading: '259740693472217241661550340212',
};

export const SEVEN_TO_100000: BigValueFixture = {
  digits: 84510,
  sha256: '88498ec380897d8f2dbc9ca67094d9cd59f829c83b3dac16cb75bf39d06e9b07',
  leading: '636797611356037928658357968137',
};

export const FACTORIAL_100000 = {
  digits: 456574,
  sha256: '820239691ef9b4887957093bb745a1ac33d3184b272db3e9a0d0a37062a13399',
  leading: '2824229407960347874293421578024535518477',
  /** ⌊n/5⌋ + ⌊n/25⌋ + … = 24999 for n = 100000 (Legendre), confirmed by the text. */
  trailingZeros: 24999,
  /** The 40 digits before the trailing zeros. */
  lastNonZeroDigits: '7169090520452440295718545898454957162496',
};
