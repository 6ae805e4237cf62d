/**
 * The signed-in session: the token and who it is for, kept in localStorage so every tab of the
 * browser shares one session: signing in or out in one tab does the same in the others (the
 * `storage` event tells them), whose sign-in page then says why (SESSION_ENDED_STORAGE_KEY).
 * Ending the session (sign out, expiry, a refused token) notifies listeners once the signed-in
 * views have unmounted, so they can clear the Apollo cache and close the WebSocket without racing
 * queries still on screen; a tab that learns of another user's sign-in ends its own session
 * first, so nothing of the previous user stays in its cache. The token is renewed a while before
 * it expires (`renew`), by whichever tab's timer fires first.
 *
 * This file holds the session's state and its start and end, and wires the rest: what is stored
 * (storedSession.ts), the expiry and renewal timers (sessionSchedule.ts), what the other tabs'
 * news means (otherTabs.ts, which this file tells of its session's start and end, and whose
 * answers it acts on); asking the server is renewSession.ts's and revokeSession.ts's.
 */
import { inject, nextTick, readonly, shallowRef, type InjectionKey, type Ref } from 'vue';
import { followOtherTabs, type OtherTabsNews } from './otherTabs';
import { EXPIRED_MESSAGE, SIGNED_OUT_ELSEWHERE_MESSAGE } from './sessionNotices';
import { createSessionSchedule } from './sessionSchedule';
import {
  readStored,
  removeStored,
  storeSession,
  type EndedSession,
  type SessionData,
} from './storedSession';

export { RenewalPostponed } from './sessionSchedule';
export { EXPIRED_MESSAGE, REFUSED_MESSAGE, SIGNED_OUT_ELSEWHERE_MESSAGE } from './sessionNotices';
export {
  SESSION_ENDED_STORAGE_KEY,
  SESSION_STORAGE_KEY,
  type EndedSession,
  type SessionData,
  type SessionUser,
} from './storedSession';

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
  /** The token of the session this tab is signing out of, while it does. */
  let signingOut: string | undefined;
  const schedule = createSessionSchedule({
    now,
    random,
    renew,
    expire: () => void end(EXPIRED_MESSAGE),
    stillRenewing,
    startRenewed: start,
  });
  const otherTabs = followOtherTabs({ storage, now, current });
  // Listening to the other tabs (a storage listener) starts before the first read below: a
  // sign-in or sign-out another tab stores in between is then heard, not missed.
  const onStorage = (event: StorageEvent) => actOn(otherTabs.heard(event));
  events?.addEventListener('storage', onStorage);

  function start(data: SessionData): void {
    storeSession(storage, data);
    adopt(data);
  }

  function adopt(data: SessionData): void {
    current.value = data;
    notice.value = null;
    otherTabs.adopted();
    schedule.scheduleExpiry(data);
  }

  async function end(reason?: string): Promise<void> {
    if (current.value === null) return;
    // Signed out here: the revocation refuses this tab's own socket or query too, which can end
    // the session before the revocation answers. It ends as the sign-out it is, saying nothing.
    if (signingOut === current.value.token) return endHere();
    // The shared session is another tab's to change once it is no longer this one's: ended
    // there (a sign-out there also closes this tab's socket as refused, maybe before the storage
    // event came), this one ends as it did there; started there anew, it stays.
    if (readStored(storage)?.token !== current.value.token) {
      return endHere(otherTabs.endedElsewhere(reason));
    }
    removeStored(storage, current.value, reason ?? null);
    await endHere(reason);
  }

  async function signOut(): Promise<void> {
    if (current.value === null) return;
    // No renewal from here on: one answered during the revocation below would otherwise store
    // its fresh token again (renewNow checks the shared session too), signing every tab back in.
    schedule.stopRenewing();
    signingOut = current.value.token;
    try {
      // Other tabs first, by the storage event, so they end as signed out; the revocation after
      // it closes their sockets too.
      removeStored(storage, current.value, null);
      await revoke?.().catch(() => {});
      schedule.stopRenewing();
      await endHere();
    } finally {
      signingOut = undefined;
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
    otherTabs.endedHere(ended);
    schedule.stop();
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

  /** Does what another tab's change of the shared storage asks of this tab (otherTabs.ts). */
  function actOn(news: OtherTabsNews | null): void {
    switch (news?.kind) {
      case 'ended':
        void endHere(news.notice);
        break;
      case 'signed in as another user':
        void endHere().then(() => adopt(news.shared));
        break;
      case 'renewed':
        schedule.renewedElsewhere();
        adopt(news.shared);
        break;
      case 'explained':
        notice.value = news.notice;
        if (news.corrected) tellEndExplained(news.corrected);
        break;
    }
  }

  function tellEndExplained(ended: EndedSession): void {
    for (const listener of explainedListeners) {
      try {
        listener(ended);
      } catch (error) {
        console.error('A listener of the session end failed', error);
      }
    }
  }

  /**
   * Whether `renewing` is still the session, in this tab and in the shared storage: a sign-out
   * (here or in another tab whose storage event has not come yet) removes it from storage first,
   * and a renewal answered after that must not put a token back.
   */
  function stillRenewing(renewing: SessionData): boolean {
    return current.value?.token === renewing.token && readStored(storage)?.token === renewing.token;
  }

  // Read once the other tabs are listened to (onStorage above).
  const stored = readStored(storage);
  if (stored && Date.parse(stored.expiresAt) > now()) {
    current.value = stored;
    schedule.scheduleExpiry(stored);
  } else if (stored) {
    // Other tabs still showing it (their timers slept with the computer) end it as expired too.
    removeStored(storage, stored, EXPIRED_MESSAGE);
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
      schedule.stop();
      events?.removeEventListener('storage', onStorage);
    },
  };
}

export const SessionKey: InjectionKey<Session> = Symbol('Session');

export function useSession(): Session {
  const session = inject(SessionKey);
  if (!session) throw new Error('useSession() needs the app to provide a Session');
  return session;
}
