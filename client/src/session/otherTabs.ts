/**
 * What the other tabs' changes of the shared session in localStorage mean for this tab's: their
 * sign-ins, renewals and sign-outs come as `storage` events, and so does their word of why the
 * session ended (EndedMarker), so that this tab ends it with the same notice. The word can come
 * after this tab has ended the session on its own guess (its socket refused by a sign-out there),
 * which it then puts right. This file only says what the news means (OtherTabsNews); session.ts
 * hears the events and acts on it, and tells this file when its session starts and ends: the calls
 * go one way, from session.ts to here.
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

/** This tab's session, and where the other tabs' news comes from. */
export interface ThisTab {
  storage: Storage;
  now: () => number;
  /** This tab's session. */
  current: Readonly<Ref<SessionData | null>>;
}

/** What another tab's change of the shared storage asks of this tab's session (OtherTabs.heard). */
export type OtherTabsNews =
  /** The shared session was removed there: this tab ends its own, with this notice. */
  | { kind: 'ended'; notice: string }
  /**
   * Another user signed in there: this tab ends its session first (a different user's session
   * must not inherit this one's cache), then takes up theirs, without storing it again.
   */
  | { kind: 'signed in as another user'; shared: SessionData }
  /** Renewed there (or signed in again): taken up here, as good as a renewal here. */
  | { kind: 'renewed'; shared: SessionData }
  /**
   * The word of why came after this tab had ended its session on a guess: the notice put right,
   * and the end (`corrected`) if what was guessed of the user's part in it has changed
   * (Session.onEndExplained).
   */
  | { kind: 'explained'; notice: string; corrected?: EndedSession };

export interface OtherTabs {
  /** What `event` (a `storage` event from another tab) asks of this tab; null: nothing. */
  heard(event: StorageEvent): OtherTabsNews | null;
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
}

export function followOtherTabs({ storage, now, current }: ThisTab): OtherTabs {
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
  function onEndedElsewhere(marker: EndedMarker): OtherTabsNews | null {
    lastEndedElsewhere = marker;
    const unexplained = endedUnexplained;
    if (current.value !== null || unexplained === null) return null;
    if (unexplained.userId !== marker.userId || unexplained.expiresAt !== marker.expiresAt) {
      return null;
    }
    endedUnexplained = null;
    const notice = marker.notice ?? SIGNED_OUT_ELSEWHERE_MESSAGE;
    // What was guessed of the user's part in it goes with the notice (a resume point is kept for
    // an expiry or a refusal only).
    const ended = unexplained.ended;
    const byUser = marker.notice === null;
    if (ended === undefined || ended.byUser === byUser) return { kind: 'explained', notice };
    ended.byUser = byUser;
    return { kind: 'explained', notice, corrected: ended };
  }

  /** Another tab signed in, renewed or signed out. */
  function heard(event: StorageEvent): OtherTabsNews | null {
    if (event.key === SESSION_ENDED_STORAGE_KEY) {
      const marker = endedMarkerOf(event.newValue);
      return marker ? onEndedElsewhere(marker) : null;
    }
    if (event.key !== SESSION_STORAGE_KEY && event.key !== null) return null;
    const shared = readStored(storage);
    if (shared === null) return { kind: 'ended', notice: endedElsewhere() };
    if (shared.token === current.value?.token) return null;
    return current.value && current.value.user.id !== shared.user.id
      ? { kind: 'signed in as another user', shared }
      : { kind: 'renewed', shared };
  }

  return {
    heard,
    endedElsewhere,
    adopted: () => {
      endedUnexplained = null;
    },
    endedHere: (ended) => {
      if (endedUnexplained?.userId === ended.user.id) endedUnexplained.ended ??= ended;
    },
  };
}
