/**
 * Registrations per client address: each one costs a password hash on the same worker pool
 * that logins wait for, and each makes an account that the router's per-user request limit
 * then counts on its own. Without a limit one address could make thousands of accounts a
 * minute (aliased `register` fields, 30 to a request) and make other people's logins wait or
 * be refused. Every registration with a valid username and password counts, whether the name
 * was free or not (so the limit also bounds probing for taken names), in a fixed window that
 * starts with the address's first registration; counts are shared through Redis like the login
 * counters and survive its outages (failureCounters.ts).
 */
import type { CounterStore } from './failureCounters.js';

export interface RegistrationLimits {
  perClient: number;
  windowSeconds: number;
}

export type RegistrationVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RegistrationLimit {
  /** Counts a registration from `client`, or says how long until the address may register. */
  reserve(client: string): Promise<RegistrationVerdict>;
}

export function createRegistrationLimit(
  limits: RegistrationLimits,
  store: CounterStore,
): RegistrationLimit {
  const perClient = store.counter('register-client', limits.windowSeconds);
  return {
    async reserve(client) {
      // One atomic increment: concurrent registrations cannot both take the last place.
      const count = await perClient.add(client);
      if (count.value <= limits.perClient) return { allowed: true };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(count.msLeft / 1000)) };
    },
  };
}
