/**
 * When the session expires and when its token is renewed: a timer for each, set anew whenever
 * the session changes. The token is renewed a while before it expires, by whichever tab's timer
 * fires first (the others take up the token it stores); asking the server is renewSession.ts's.
 */
import type { SessionData } from './storedSession';

/**
 * A renewal the server refused for now and said when to ask again (RATE_LIMITED or
 * SERVICE_UNAVAILABLE with `retryAfterSeconds`): the session asks again no sooner than that.
 */
export class RenewalPostponed extends Error {
  constructor(
    readonly retryAfterMs: number,
    options?: ErrorOptions,
  ) {
    super(`Renewal postponed for ${retryAfterMs} ms`, options);
    this.name = 'RenewalPostponed';
  }
}

/** setTimeout cannot wait longer than this (about 24.8 days); later expiries are left to the server. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** Renew this long before expiry, or at three quarters of what is left if that is sooner. */
const RENEW_BEFORE_MS = 5 * 60_000;
/**
 * After a renewal the server could not answer: try again this soon, then twice as long each
 * time, at most a minute apart. A router restarting or a network blip 5 minutes before expiry
 * must not sign the user out once it is back.
 */
const RENEW_RETRY_MS = 5_000;
const RENEW_RETRY_MAX_MS = 60_000;
/**
 * Renewals are at least this far apart, and a renewal that moves the expiry by less ends them.
 * Tokens live at least 60 s (TOKEN_TTL_SECONDS), renewed at three quarters of that: 45 s.
 */
const MIN_RENEW_INTERVAL_MS = 30_000;
/**
 * Each tab renews up to this much before the time above, at random: every tab that took up the
 * same token would otherwise renew at the same moment, and the server mint and count a token
 * per tab. The first to renew stores its token, which the others take up instead.
 */
const RENEW_SPREAD_MS = 10_000;

export interface SessionScheduleOptions {
  now: () => number;
  /** Spreads the tabs' renewals (RENEW_SPREAD_MS). */
  random: () => number;
  /** SessionOptions.renew: none, and the session simply runs out at its expiry. */
  renew?: () => Promise<SessionData | null>;
  /** Ends the session as expired. */
  expire(): void;
  /** Whether `renewing` is still the session, here and in the shared storage. */
  stillRenewing(renewing: SessionData): boolean;
  /** Starts the session anew with the renewed token, stored for the other tabs to take up. */
  startRenewed(data: SessionData): void;
}

export interface SessionSchedule {
  /** Schedules the expiry and renewal of `data`, in place of whatever was scheduled. */
  scheduleExpiry(data: SessionData): void;
  /** No renewal from here on, until the next scheduleExpiry. */
  stopRenewing(): void;
  /** Neither expiry nor renewal from here on, until the next scheduleExpiry. */
  stop(): void;
  /** Another tab renewed the token, which this tab takes up: as good as a renewal here. */
  renewedElsewhere(): void;
}

export function createSessionSchedule({
  now,
  random,
  renew,
  expire,
  stillRenewing,
  startRenewed,
}: SessionScheduleOptions): SessionSchedule {
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;
  let renewTimer: ReturnType<typeof setTimeout> | undefined;
  /** When this tab last took up a renewed token (its own, or another tab's); none at load. */
  let lastRenewalAt = -Infinity;

  function scheduleExpiry(data: SessionData): void {
    clearTimeout(expiryTimer);
    clearTimeout(renewTimer);
    const remaining = Date.parse(data.expiresAt) - now();
    if (remaining <= LONGEST_TIMER_MS) {
      expiryTimer = setTimeout(expire, Math.max(0, remaining));
    }
    if (!renew || data.lastOfSession) return;
    const renewAt = remaining - Math.min(RENEW_BEFORE_MS, remaining / 4);
    const spread = random() * Math.min(RENEW_SPREAD_MS, (remaining - renewAt) / 4);
    const renewIn = Math.max(renewAt - spread, lastRenewalAt + MIN_RENEW_INTERVAL_MS - now());
    // A renewal that could only come after the expiry is none: the session runs out.
    if (renewIn < remaining && renewIn <= LONGEST_TIMER_MS) {
      renewTimer = setTimeout(() => void renewNow(data), Math.max(0, renewIn));
    }
  }

  async function renewNow(renewing: SessionData, retryInMs = RENEW_RETRY_MS): Promise<void> {
    // Renewed by another tab already (its storage event, on its way, brings the token), or
    // signed out there: nothing to ask for.
    if (!stillRenewing(renewing)) return;
    let renewed: SessionData | null | undefined;
    try {
      renewed = await renew?.();
    } catch (error) {
      // Not answered: again shortly, while this token is still the session's, or as late as the
      // server said (asked sooner, a rate limit only refuses again and counts the attempt). The
      // session ends at expiry whatever happens (which clears this timer).
      if (!stillRenewing(renewing)) return;
      clearTimeout(renewTimer);
      const waitMs =
        error instanceof RenewalPostponed ? Math.max(error.retryAfterMs, retryInMs) : retryInMs;
      // None asked for after the expiry; and a longer wait than setTimeout's overflows to none.
      if (waitMs >= Date.parse(renewing.expiresAt) - now()) return;
      const next = Math.min(retryInMs * 2, RENEW_RETRY_MAX_MS);
      renewTimer = setTimeout(
        () => void renewNow(renewing, next),
        Math.min(waitMs, LONGEST_TIMER_MS),
      );
      return;
    }
    // Only if nothing changed meanwhile: another tab may have renewed or signed out already.
    if (!renewed || !stillRenewing(renewing)) return;
    lastRenewalAt = now();
    const extendedMs = Date.parse(renewed.expiresAt) - Date.parse(renewing.expiresAt);
    startRenewed(
      extendedMs < MIN_RENEW_INTERVAL_MS ? { ...renewed, lastOfSession: true } : renewed,
    );
  }

  return {
    scheduleExpiry,
    stopRenewing: () => clearTimeout(renewTimer),
    stop: () => {
      clearTimeout(expiryTimer);
      clearTimeout(renewTimer);
    },
    renewedElsewhere: () => {
      lastRenewalAt = now();
    },
  };
}
