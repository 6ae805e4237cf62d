/**
 * Registrations per client address: each one costs a password hash on the same worker pool
 * that logins wait for, and each makes an account that the router's per-user request limit
 * then counts on its own. Without a limit one address could make thousands of accounts a
 * minute (aliased `register` fields, 30 to a request) and make other people's logins wait or
 * be refused. Every registration with a valid username and password counts, whether the name
 * was free or not (so the limit also bounds probing for taken names), in a fixed window that
 * starts with the address's first registration; counts are shared through Redis like the login
 * counters and survive its outages (failureCounters.ts). A registration the server could not
 * make for reasons of its own gives its place back (`abandon`; accounts.ts says when).
 */
import type { CounterStore } from './failureCounters.js';

export interface RegistrationLimits {
  perClient: number;
  windowSeconds: number;
}

export type RegistrationVerdict =
  | { allowed: true; registration: ReservedRegistration }
  | { allowed: false; retryAfterSeconds: number };

export interface ReservedRegistration {
  /**
   * Gives the registration's place back: it failed for the server's reasons (accounts.ts says
   * which), and the address should not lose one of its registrations for the window to them.
   * Once only; later calls do nothing.
   */
  abandon(): Promise<void>;
}

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
      if (count.value > limits.perClient)
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(count.msLeft / 1000)) };
      let abandoned = false;
      return {
        allowed: true,
        registration: {
          // A decrement of the same count, in Redis or (Redis away) in its stand-in. One that
          // meets an outage while Redis holds the place leaves -1 in the stand-in (one
          // registration more while Redis is away) and is not merged back (failureCounters.ts
          // adds only positive counts): in Redis the registration stays counted.
          async abandon() {
            if (abandoned) return;
            abandoned = true;
            // One that lands after the count's window ended starts the next window below zero
            // (a place more there): that one is put back.
            const after = await perClient.add(client, -1);
            if (after.value < 0) await perClient.add(client, 1);
          },
        },
      };
    },
  };
}
