/**
 * The signed-in session: the token and who it is for, kept in localStorage so every tab of the
 * browser shares one session: signing in or out in one tab does the same in the others (the
 * `storage` event tells them), whose sign-in page then says why (SESSION_ENDED_STORAGE_KEY).
 * Ending the session (sign out, expiry, a refused token) notifies listeners once the signed-in views have unmounted, so they can clear the Apollo cache and close
 * the WebSocket without racing queries still on screen; a tab that learns of another user's
 * sign-in ends its own session first, so nothing of the previous user stays in its cache. The
 * token is renewed a while before it expires (`renew`), by whichever tab's timer fires first.
 */
import { inject, nextTick, readonly, shallowRef, type InjectionKey, type Ref } from 'vue';

export interface SessionUser {
  id: string;
  username: string;
}

export interface SessionData {
  token: string;
  /** ISO-8601 */
  expiresAt: string;
  user: SessionUser;
  /**
   * Set on a renewed token that expires no later than (or barely later than) the one it renewed:
   * auth caps tokens at the session's maximum age, so renewing again cannot extend it. Kept in
   * storage, so other tabs and a reload do not ask either.
   */
  lastOfSession?: true;
}

export const SESSION_STORAGE_KEY = 'microservice-math.session';
export const EXPIRED_MESSAGE = 'Your session has expired. Please sign in again.';
export const REFUSED_MESSAGE = 'The server no longer accepts your session. Please sign in again.';
export const SIGNED_OUT_ELSEWHERE_MESSAGE = 'Signed out in another tab.';
/**
 * Why the shared session ended, so the other tabs end theirs with the same notice: "expired"
 * where it expired, SIGNED_OUT_ELSEWHERE_MESSAGE where the user signed out. Written just before
 * the session is removed and removed just after, so nothing is left in storage after a sign-out:
 * the other tabs read it from its `storage` event (newValue), which comes before the session's.
 * It names the session by its user and expiry, never by its token.
 */
export const SESSION_ENDED_STORAGE_KEY = 'microservice-math.session-ended';

interface EndedMarker {
  userId: string;
  expiresAt: string;
  /** The notice the ending tab showed; null for a sign-out. */
  notice: string | null;
}

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

export interface Session {
  /** The current session, or null when signed out. */
  readonly current: Readonly<Ref<SessionData | null>>;
  /** Why the last session ended, shown on the sign-in page; null after a plain sign-out. */
  readonly notice: Readonly<Ref<string | null>>;
  /** The bearer token to send, read at the moment of sending. */
  token(): string | null;
  start(data: SessionData): void;
  /** Ends the session; `reason` is shown on the sign-in page. */
  end(reason?: string): Promise<void>;
  /** The user's sign-out: revokes the token on the server (best effort), then ends the session everywhere. */
  signOut(): Promise<void>;
  /** Runs `listener` after each session ends. */
  onEnd(listener: (ended: EndedSession) => void | Promise<void>): void;
  /**
   * Runs `listener` when the word of why another tab ended the session comes after this tab's
   * end listeners were told a guess that it belies (EndedSession.byUser, now corrected).
   */
  onEndExplained(listener: (ended: EndedSession) => void): void;
  dispose(): void;
}

/** A session that has just ended, as its end listeners are told of it. */
export interface EndedSession {
  user: SessionUser;
  /**
   * The user ended it (signed out here or in another tab, or another user signed in), rather
   * than its expiry or the server's refusal of it: nothing of it is to be picked up again.
   * Where another tab ended it, a guess until its word of why comes; then corrected in this same
   * object, and told to onEndExplained's listeners.
   */
  readonly byUser: boolean;
}

export interface SessionOptions {
  storage: Storage;
  now?: () => number;
  /** Spreads the tabs' renewals (RENEW_SPREAD_MS); Math.random unless a test fixes it. */
  random?: () => number;
  /** Where `storage` events of other tabs arrive (the window); none in tests of one tab. */
  events?: Pick<Window, 'addEventListener' | 'removeEventListener'>;
  /**
   * Asks the server for a fresh token for the current one; null when it will not give one (no
   * `renewToken` on this server, or past the maximum session age): the session then simply
   * runs out at its expiry. Rejects when the server could not answer (unreachable, restarting,
   * overloaded): renewal is then tried again until the token expires, after the wait the server
   * asked for when the rejection is a RenewalPostponed.
   */
  renew?: () => Promise<SessionData | null>;
  /**
   * Revokes the current token on the server (`logout`), before sign-out forgets it. Whatever
   * happens, the session ends afterwards: a sign-out never waits on the server's agreement.
   */
  revoke?: () => Promise<void>;
}

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

export function createSession({
  storage,
  now = Date.now,
  random = Math.random,
  events,
  renew,
  revoke,
}: SessionOptions): Session {
  const current = shallowRef<SessionData | null>(null);
  const notice = shallowRef<string | null>(null);
  const endListeners: Array<(ended: EndedSession) => void | Promise<void>> = [];
  const explainedListeners: Array<(ended: EndedSession) => void> = [];
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;
  let renewTimer: ReturnType<typeof setTimeout> | undefined;
  /** The token of the session this tab is signing out of, while it does. */
  let signingOut: string | undefined;
  /** When this tab last took up a renewed token (its own, or another tab's); none at load. */
  let lastRenewalAt = -Infinity;
  /** The last word from another tab of why the shared session ended (EndedMarker). */
  let lastEndedElsewhere: EndedMarker | null = null;
  /**
   * This tab's session, ended as removed elsewhere before the word of why came (endedElsewhere):
   * its notice is a guess until that word, which then replaces it.
   */
  let endedUnexplained:
    | (Pick<EndedMarker, 'userId' | 'expiresAt'> & {
        ended?: { -readonly [K in keyof EndedSession]: EndedSession[K] };
      })
    | null = null;

  function start(data: SessionData): void {
    storage.setItem(SESSION_STORAGE_KEY, JSON.stringify(data));
    adopt(data);
  }

  function adopt(data: SessionData): void {
    current.value = data;
    notice.value = null;
    endedUnexplained = null;
    scheduleExpiry(data);
  }

  async function end(reason?: string): Promise<void> {
    if (current.value === null) return;
    // Signed out here: the revocation refuses this tab's own socket or query too, which can end
    // the session before the revocation answers. It ends as the sign-out it is, saying nothing.
    if (signingOut === current.value.token) return endHere();
    // The shared session is another tab's to change once it is no longer this one's: ended
    // there (a sign-out there also closes this tab's socket as refused, maybe before the storage
    // event came), this one ends as it did there; started there anew, it stays.
    if (readStored(storage)?.token !== current.value.token) return endHere(endedElsewhere(reason));
    removeShared(reason ?? null);
    await endHere(reason);
  }

  async function signOut(): Promise<void> {
    if (current.value === null) return;
    // No renewal from here on: one answered during the revocation below would otherwise store
    // its fresh token again (renewNow checks the shared session too), signing every tab back in.
    clearTimeout(renewTimer);
    signingOut = current.value.token;
    try {
      // Other tabs first, by the storage event, so they end as signed out; the revocation after
      // it closes their sockets too.
      removeShared(null);
      await revoke?.().catch(() => {});
      clearTimeout(renewTimer);
      await endHere();
    } finally {
      signingOut = undefined;
    }
  }

  /** Removes the shared session `ending`, saying why (EndedMarker) to the other tabs. */
  function removeShared(notice: string | null, ending = current.value): void {
    if (ending) {
      const { user, expiresAt } = ending;
      const marker: EndedMarker = { userId: user.id, expiresAt, notice };
      try {
        storage.setItem(SESSION_ENDED_STORAGE_KEY, JSON.stringify(marker));
      } catch {
        // Storage full: the other tabs guess why (endedElsewhere), but the session goes all the same.
      }
    }
    storage.removeItem(SESSION_STORAGE_KEY);
    storage.removeItem(SESSION_ENDED_STORAGE_KEY);
  }

  const isSession = (marker: Pick<EndedMarker, 'userId' | 'expiresAt'>, data: SessionData) =>
    marker.userId === data.user.id && marker.expiresAt === data.expiresAt;

  /**
   * The notice for this tab's session, removed from storage by another tab: the one shown there
   * (an expiry, a refusal), or that the user signed out there. Before the word of why has come
   * (this tab's own refusal or expiry can come first), a guess: this tab's own expiry, or else a
   * sign-out there (whose revocation refuses this tab's token), put right when the word comes.
   * Removed with no word at all (a tab of an older version), it was no doing of this tab either.
   */
  function endedElsewhere(ownReason?: string): string {
    const data = current.value;
    const marker = lastEndedElsewhere;
    if (data && marker && isSession(marker, data)) {
      endedUnexplained = null;
      return marker.notice ?? SIGNED_OUT_ELSEWHERE_MESSAGE;
    }
    endedUnexplained = data && { userId: data.user.id, expiresAt: data.expiresAt };
    // Past its expiry (this tab's timer slept with the computer), it most likely expired.
    const expired = data !== null && Date.parse(data.expiresAt) <= now();
    return ownReason === EXPIRED_MESSAGE || expired
      ? EXPIRED_MESSAGE
      : SIGNED_OUT_ELSEWHERE_MESSAGE;
  }

  /** The word of why another tab ended the shared session (its EndedMarker's storage event). */
  function onEndedElsewhere(marker: EndedMarker): void {
    lastEndedElsewhere = marker;
    const unexplained = endedUnexplained;
    if (current.value !== null || unexplained === null) return;
    if (unexplained.userId !== marker.userId || unexplained.expiresAt !== marker.expiresAt) return;
    endedUnexplained = null;
    notice.value = marker.notice ?? SIGNED_OUT_ELSEWHERE_MESSAGE;
    // What was guessed of the user's part in it goes with the notice (a resume point is kept for
    // an expiry or a refusal only).
    const ended = unexplained.ended;
    const byUser = marker.notice === null;
    if (ended === undefined || ended.byUser === byUser) return;
    ended.byUser = byUser;
    for (const listener of explainedListeners) {
      try {
        listener(ended);
      } catch (error) {
        console.error('A listener of the session end failed', error);
      }
    }
  }

  /** Ends the session in this tab only (another tab already changed the shared storage). */
  async function endHere(reason?: string): Promise<void> {
    if (current.value === null) return;
    const ended = {
      user: current.value.user,
      byUser: reason === undefined || reason === SIGNED_OUT_ELSEWHERE_MESSAGE,
    };
    // Ended on a guess (endedElsewhere, just now): corrected in place when the word comes.
    if (endedUnexplained?.userId === ended.user.id) endedUnexplained.ended ??= ended;
    clearTimeout(expiryTimer);
    clearTimeout(renewTimer);
    current.value = null;
    notice.value = reason ?? null;
    await nextTick();
    // Each listener runs whatever became of the others: one that throws (a storage quota) must
    // not leave the address or the cache of the user who has gone for the next one.
    for (const listener of endListeners) {
      try {
        await listener(ended);
      } catch (error) {
        console.error('A listener of the session end failed', error);
      }
    }
  }

  function scheduleExpiry(data: SessionData): void {
    clearTimeout(expiryTimer);
    clearTimeout(renewTimer);
    const remaining = Date.parse(data.expiresAt) - now();
    if (remaining <= LONGEST_TIMER_MS) {
      expiryTimer = setTimeout(() => void end(EXPIRED_MESSAGE), Math.max(0, remaining));
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
    start(extendedMs < MIN_RENEW_INTERVAL_MS ? { ...renewed, lastOfSession: true } : renewed);
  }

  /**
   * Whether `renewing` is still the session, in this tab and in the shared storage: a sign-out
   * (here or in another tab whose storage event has not come yet) removes it from storage first,
   * and a renewal answered after that must not put a token back.
   */
  function stillRenewing(renewing: SessionData): boolean {
    return current.value?.token === renewing.token && readStored(storage)?.token === renewing.token;
  }

  /** Another tab signed in, renewed or signed out. */
  function onStorage(event: StorageEvent): void {
    if (event.key === SESSION_ENDED_STORAGE_KEY) {
      const marker = endedMarkerOf(event.newValue);
      if (marker) onEndedElsewhere(marker);
      return;
    }
    if (event.key !== SESSION_STORAGE_KEY && event.key !== null) return;
    const shared = readStored(storage);
    if (shared === null) {
      void endHere(endedElsewhere());
    } else if (shared.token !== current.value?.token) {
      // A different user's session must not inherit this one's cache: end it first.
      if (current.value && current.value.user.id !== shared.user.id) {
        void endHere().then(() => adopt(shared));
      } else {
        // Another tab renewed (or signed in again): as good as a renewal here.
        lastRenewalAt = now();
        adopt(shared);
      }
    }
  }
  events?.addEventListener('storage', onStorage);

  const stored = readStored(storage);
  if (stored && Date.parse(stored.expiresAt) > now()) {
    current.value = stored;
    scheduleExpiry(stored);
  } else if (stored) {
    // Other tabs still showing it (their timers slept with the computer) end it as expired too.
    removeShared(EXPIRED_MESSAGE, stored);
    notice.value = EXPIRED_MESSAGE;
  }

  return {
    current: readonly(current),
    notice: readonly(notice),
    token: () => current.value?.token ?? null,
    start,
    end,
    signOut,
    onEnd: (listener) => void endListeners.push(listener),
    onEndExplained: (listener) => void explainedListeners.push(listener),
    dispose: () => {
      clearTimeout(expiryTimer);
      clearTimeout(renewTimer);
      events?.removeEventListener('storage', onStorage);
    },
  };
}

function readStored(storage: Storage): SessionData | null {
  const raw = storage.getItem(SESSION_STORAGE_KEY);
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (isSessionData(value)) return value;
  } catch {
    // a value that is not ours is dropped below
  }
  storage.removeItem(SESSION_STORAGE_KEY);
  return null;
}

function endedMarkerOf(raw: string | null): EndedMarker | null {
  try {
    const value: unknown = JSON.parse(raw ?? 'null');
    if (typeof value !== 'object' || value === null) return null;
    const { userId, expiresAt, notice } = value as Record<string, unknown>;
    if (typeof userId !== 'string' || typeof expiresAt !== 'string') return null;
    // Only a notice of ours is shown: storage is any same-origin script's to write.
    const ours = notice === EXPIRED_MESSAGE || notice === REFUSED_MESSAGE;
    return { userId, expiresAt, notice: ours ? notice : null };
  } catch {
    return null;
  }
}

function isSessionData(value: unknown): value is SessionData {
  if (typeof value !== 'object' || value === null) return false;
  const { token, expiresAt, user } = value as Record<string, unknown>;
  if (typeof token !== 'string' || typeof expiresAt !== 'string') return false;
  if (typeof user !== 'object' || user === null) return false;
  const { id, username } = user as Record<string, unknown>;
  return typeof id === 'string' && typeof username === 'string';
}

export const SessionKey: InjectionKey<Session> = Symbol('Session');

export function useSession(): Session {
  const session = inject(SessionKey);
  if (!session) throw new Error('useSession() needs the app to provide a Session');
  return session;
}
