/**
 * Login limits. Only failed password checks count: a correct password is never refused
 * because of other correct logins, however many arrive at once. Each failure counts against
 *
 * - its address (`perClient` failures across all usernames: spraying many accounts);
 * - its account from that address (`perUsername`, cleared by a success from there);
 * - and, when the address has never signed in to the account, the account itself, across
 *   every such address (`perAccount`): guessing one account from many addresses. Past
 *   `perUsername` of these failures the account slows down before it refuses: after each
 *   further failure, addresses new to it wait 1, 2, 4… s (at most a minute) before their next
 *   try, and at `perAccount` they are refused until the window ends.
 *
 * An address becomes known to an account when it signs in (or registers) there, for
 * `knownAddressSeconds` (renewed by a sign-in at most once an hour: KNOWN_RENEWAL_MS). Known
 * addresses keep only their own budget, so an attacker's failures from elsewhere cannot lock
 * the owner out: their correct password from their usual address still works while the account
 * is under attack. Counts are shared through Redis and survive
 * its outages (failureCounters.ts); checks under way are bounded per process
 * (checksInFlight.ts), so parallel guesses cannot outrun the counting.
 */
import { createChecksInFlight } from './checksInFlight.js';
import type { Count, CounterStore } from './failureCounters.js';

export interface LoginLimits {
  perUsername: number;
  perClient: number;
  perAccount: number;
  windowSeconds: number;
  knownAddressSeconds: number;
}

export interface LoginAttempt {
  /** The password matched: the account forgets this address's failures and knows the address. */
  succeeded(): Promise<void>;
  /** The password did not match (or the account does not exist): the failure counts. */
  failed(): Promise<void>;
  /** Gives the attempt's place up without an outcome (never checked, or the check failed to run). */
  abandon(): void;
}

export type AttemptVerdict =
  { allowed: true; attempt: LoginAttempt } | { allowed: false; retryAfterSeconds: number };

/** Attempts one request holds, by limit: more than a limit allows is refused, not waited for. */
export type AttemptBatch = Map<string, number>;

export interface LoginAttempts {
  /**
   * An attempt for this username from this client, once its place is free, or how long to wait.
   * `signal` ends the wait (CANCELLED); `batch` holds the request's other attempts.
   */
  reserve(
    usernameKey: string,
    client: string,
    options?: { signal?: AbortSignal; batch?: AttemptBatch },
  ): Promise<AttemptVerdict>;
  /** A new account: the address it was registered from is known to it. */
  registered(usernameKey: string, client: string): Promise<void>;
}

/** A limit as it stands: how many more checks may run, or why none may. */
interface Budget {
  /** Names the limit in the in-flight bookkeeping (unique across counters). */
  place: string;
  /** Checks that may still be under way at once. */
  room: number;
  /** When the limit frees up, if it must be waited for. */
  retryAfterSeconds: number;
}

const LONGEST_PAUSE_SECONDS = 60;

/**
 * A sign-in renews its address's mark only once the mark is this much older than a fresh one
 * (or half as old as a fresh one, for a window under two hours): the mark lasts
 * `knownAddressSeconds` (30 days by default) from a sign-in to within an hour, and the usual
 * login from a usual address writes nothing to Redis (it only reads its counts).
 */
export const KNOWN_RENEWAL_MS = 3_600_000;

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export function createLoginAttempts(limits: LoginLimits, store: CounterStore): LoginAttempts {
  const perClient = store.counter('login-client', limits.windowSeconds);
  const perUsername = store.counter('login-user', limits.windowSeconds);
  const perAccount = store.counter('login-account', limits.windowSeconds);
  const accountPause = store.counter('login-account-pause', limits.windowSeconds);
  const knownAddresses = store.counter('login-known', limits.knownAddressSeconds);
  const inFlight = createChecksInFlight();

  const budget = (place: string, limit: number, count: Count): Budget => ({
    place,
    room: limit - count.value,
    retryAfterSeconds: count.msLeft > 0 ? seconds(count.msLeft) : limits.windowSeconds,
  });

  /** The limits this attempt answers to; `unknown`: the address never signed in here. */
  async function budgetsFor(account: string, client: string) {
    const pair = `${account}|${client}`;
    const [clientCount, pairCount, known] = await Promise.all([
      perClient.get(client),
      perUsername.get(pair),
      knownAddresses.get(pair),
    ]);
    const budgets = [
      budget(`client:${client}`, limits.perClient, clientCount),
      budget(`user:${pair}`, limits.perUsername, pairCount),
    ];
    const unknown = known.value === 0;
    if (unknown) {
      const [accountCount, pause] = await Promise.all([
        perAccount.get(account),
        accountPause.get(account),
      ]);
      const accountBudget = budget(`account:${account}`, limits.perAccount, accountCount);
      if (accountBudget.room > 0) {
        if (pause.value > 0) {
          accountBudget.room = 0;
          accountBudget.retryAfterSeconds = seconds(pause.msLeft);
        } else {
          // Up to perUsername failures at full speed (never more checks under way than would
          // reach it), then one check at a time, each failure pausing the next.
          accountBudget.room = Math.max(
            1,
            Math.min(accountBudget.room, limits.perUsername - accountCount.value),
          );
        }
      }
      budgets.push(accountBudget);
    }
    // What a success has to write: the failures it forgets (a count read from the stand-in
    // while Redis is away may miss those Redis holds: cleared, they are cleared there too once
    // it is back), and the mark, once it is due for renewal (see KNOWN_RENEWAL_MS).
    const toForget = pairCount.value > 0 || pairCount.standIn === true;
    const knownMs = limits.knownAddressSeconds * 1000;
    const renewMark = known.msLeft <= knownMs - Math.min(KNOWN_RENEWAL_MS, knownMs / 2);
    return { budgets, unknown, pair, toForget, renewMark };
  }

  async function countFailure(account: string, client: string, pair: string, unknown: boolean) {
    const counted: Promise<unknown>[] = [perClient.add(client), perUsername.add(pair)];
    if (unknown)
      counted.push(
        perAccount.add(account).then(async ({ value }) => {
          const beyond = value - limits.perUsername;
          if (beyond >= 0 && value < limits.perAccount)
            await accountPause.set(account, 1, Math.min(2 ** beyond, LONGEST_PAUSE_SECONDS));
        }),
      );
    await Promise.all(counted);
  }

  return {
    async reserve(account, client, { signal, batch } = {}) {
      for (;;) {
        const endingsBefore = inFlight.endings();
        const { budgets, unknown, pair, toForget, renewMark } = await budgetsFor(account, client);
        const spent = budgets.find((b) => b.room <= 0 || (batch?.get(b.place) ?? 0) >= b.room);
        if (spent) return { allowed: false, retryAfterSeconds: spent.retryAfterSeconds };
        // A check that ended while we read may have counted a failure we did not see.
        if (inFlight.endings() !== endingsBefore) continue;
        const full = budgets.filter((b) => inFlight.held(b.place) >= b.room);
        if (full.length > 0) {
          await inFlight.nextEnding(
            full.map((b) => b.place),
            signal,
          );
          continue;
        }
        const places = budgets.map((b) => b.place);
        inFlight.start(places);
        for (const place of places) batch?.set(place, (batch.get(place) ?? 0) + 1);
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          inFlight.end(places);
          for (const place of places) batch?.set(place, (batch.get(place) ?? 1) - 1);
        };
        return {
          allowed: true,
          attempt: {
            async succeeded() {
              // Forgets the address's failures when it had some as its check began, those that
              // checks beside it counted meanwhile included; with none there is nothing to
              // clear, and a failure counted meanwhile stays.
              const writes: Promise<void>[] = [];
              if (toForget) writes.push(perUsername.clear(pair));
              if (renewMark) writes.push(knownAddresses.set(pair, 1, limits.knownAddressSeconds));
              try {
                await Promise.all(writes);
              } finally {
                end();
              }
            },
            async failed() {
              // The place is given up only once the failure is counted (and any pause set).
              try {
                await countFailure(account, client, pair, unknown);
              } finally {
                end();
              }
            },
            abandon: end,
          },
        };
      }
    },
    async registered(account, client) {
      await knownAddresses.set(`${account}|${client}`, 1, limits.knownAddressSeconds);
    },
  };
}
