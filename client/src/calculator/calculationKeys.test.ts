import { describe, expect, it } from 'vitest';
import { createCalculationKeys, outcomeInDoubt, randomKey } from './calculationKeys';
import type { CalculationRequest } from './calculationArguments';

const factorial = (n: number) =>
  ({ operation: 'FACTORIAL', variables: { n } }) as CalculationRequest;

describe('calculation keys', () => {
  it('makes random UUIDs without crypto.randomUUID, which insecure origins lack', () => {
    const keys = new Set(Array.from({ length: 100 }, randomKey));
    expect(keys.size).toBe(100);
    for (const key of keys)
      expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('keeps a key only while its calculation is in doubt', () => {
    let next = 0;
    const keys = createCalculationKeys(() => `key-${++next}`);
    const lost = keys.keyFor(factorial(5));
    keys.settle(factorial(5), lost, new TypeError('Failed to fetch'));
    expect(keys.keyFor(factorial(6))).toBe('key-2'); // another calculation: a key of its own
    expect(keys.keyFor(factorial(5))).toBe(lost);
    keys.settle(factorial(5), lost); // answered
    expect(keys.keyFor(factorial(5))).toBe('key-3');
  });

  it('keeps a calculation in doubt when it is cancelled, so the next send reuses its key', () => {
    let next = 0;
    const keys = createCalculationKeys(() => `key-${++next}`);
    const lost = keys.keyFor(factorial(5));
    keys.settle(factorial(5), lost, new TypeError('Failed to fetch')); // waiting to resend
    keys.settle(factorial(5), lost, new DOMException('aborted', 'AbortError'));
    expect(keys.keyFor(factorial(5))).toBe(lost);
  });

  it('settles a cancelled calculation that was never in doubt: the next send has a new key', () => {
    let next = 0;
    const keys = createCalculationKeys(() => `key-${++next}`);
    const lost = keys.keyFor(factorial(6));
    keys.settle(factorial(6), lost, new TypeError('Failed to fetch'));
    const cancelled = keys.keyFor(factorial(5));
    keys.settle(factorial(5), cancelled, new DOMException('aborted', 'AbortError'));
    expect(keys.keyFor(factorial(5))).not.toBe(cancelled);
    expect(keys.keyFor(factorial(6))).toBe(lost); // another calculation's doubt is untouched
  });

  it('counts an answer from the router, or a cancellation, as settled; anything else as in doubt', () => {
    const refused = {
      graphQLErrors: [{ message: 'busy', extensions: { code: 'SERVICE_UNAVAILABLE' } }],
    };
    const proxyDown = {
      networkError: {
        statusCode: 502,
        result: { errors: [{ message: 'The router is not reachable' }] },
      },
    };
    expect(outcomeInDoubt(refused)).toBe(false);
    expect(outcomeInDoubt(new DOMException('aborted', 'AbortError'))).toBe(false);
    expect(outcomeInDoubt(new TypeError('Failed to fetch'))).toBe(true);
    expect(outcomeInDoubt(proxyDown)).toBe(true);
  });
});
