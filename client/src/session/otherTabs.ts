/**
 * Keeping this tab's session in step with the other tabs' through localStorage: their sign-ins,
 * renewals and sign-outs come as `storage` events, and so does their word of why the session
 * ended (EndedMarker), so that this tab ends it with the same notice. The word can come after
 * this tab has ended the session on its own guess (its socket refused by a sign-out there), which
 * it then puts right.
 */
import type { Ref } from 'vue';
import { EXPIRED_MESSAGE, SIGNED_OUT_ELSEWHERE_MESSAGE } from './sessionNotices';
import {
  SESSION_ENDED_STORAGE_KEY,
  SESSION_STORAGE_KEY,
  endedMarkerOf,
  readStored,
  type EndedMarker,
  type EndedSession,
  type SessionData,
} from './storedSession';

/** An EndedSession while its end listeners may still be told a correction of it. */
type EndingSession = { -readonly [K in keyof EndedSession]: EndedSession[K] };

/** This tab's session, on which the other tabs' news acts, and where that news arrives. */
export interface ThisTab {
  storage: Storage;
  /** Where `storage` events of other tabs arrive (SessionOptions.events). */
  events?: Pick<Window, 'addEventListener' | 'removeEventListener'>;
  now: () => number;
  /** This tab's session. */
  current: Readonly<Ref<SessionData | null>>;
  /** This tab's notice of why its session ended, put right when the word of why comes. */
  notice: Ref<string | null>;
  /** Ends the session in this tab only (another tab already changed the shared storage). */
  endHere(reason?: string): Promise<void>;
  /** Takes up the shared session in this tab, without storing it again. */
  adopt(data: SessionData): void;
  /** Another tab renewed the token this tab takes up. */
  renewedElsewhere(): void;
}

export interface OtherTabs {
  /**
   * The notice for this tab's session, removed from storage by another tab: the one shown there
   * (an expiry, a refusal), or that the user signed out there. Before the word of why has come
   * (this tab's own refusal or expiry can come first), a guess: this tab's own expiry, or else a
   * sign-out there (whose revocation refuses this tab's token), put right when the word comes.
   * Removed with no word at all (a tab of an older version), it was no doing of this tab either.
   */
  endedElsewhere(ownReason?: string): string;
  /** This tab took up a session: the word of why the one before ended is no longer awaited. */
  adopted(): void;
  /** This tab's session ended: kept if it ended on a guess, to be corrected when the word comes. */
  endedHere(ended: EndingSession): void;
  /** Session.onEndExplained. */
  onEndExplained(listener: (ended: EndedSession) => void): void;
  dispose(): void;
}

export function followOtherTabs(thisTab: ThisTab): OtherTabs {
  const { storage, events, now, current, notice } = thisTab;
  const explainedListeners: Array<(ended: EndedSession) => void> = [];
  /** The last word from another tab of why the shared session ended (EndedMarker). */
  let lastEndedElsewhere: EndedMarker | null = null;
  /**
   * This tab's session, ended as removed elsewhere before the word of why came (endedElsewhere):
   * its notice is a guess until that word, which then replaces it.
   */
  let endedUnexplained:
    (Pick<EndedMarker, 'userId' | 'expiresAt'> & { ended?: EndingSession }) | null = null;

  const isSession = (marker: Pick<EndedMarker, 'userId' | 'expiresAt'>, data: SessionData) =>
    marker.userId === data.user.id && marker.expiresAt === data.expiresAt;

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
      void thisTab.endHere(endedElsewhere());
    } else if (shared.token !== current.value?.token) {
      // A different user's session must not inherit this one's cache: end it first.
      if (current.value && current.value.user.id !== shared.user.id) {
        void thisTab.endHere().then(() => thisTab.adopt(shared));
      } else {
        // Another tab renewed (or signed in again): as good as a renewal here.
        thisTab.renewedElsewhere();
        thisTab.adopt(shared);
      }
    }
  }
  events?.addEventListener('storage', onStorage);

  return {
    endedElsewhere,
    adopted: () => {
      endedUnexplained = null;
    },
    endedHere: (ended) => {
      if (endedUnexplained?.userId === ended.user.id) endedUnexplained.ended ??= ended;
    },
    onEndExplained: (listener) => void explainedListeners.push(listener),
    dispose: () => events?.removeEventListener('storage', onStorage),
  };
}
