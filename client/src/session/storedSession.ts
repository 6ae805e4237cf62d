/**
 * What the session keeps in localStorage, shared by every tab of the browser: the session itself
 * (SESSION_STORAGE_KEY) and, for a moment as it ends, why it ended (SESSION_ENDED_STORAGE_KEY).
 * Storage is any same-origin script's to write, so what is read back is checked, never trusted.
 * Also the shape of a session that has ended (EndedSession), which session.ts and otherTabs.ts
 * both speak of, so that otherTabs.ts, which session.ts uses, does not import it back.
 */
import { EXPIRED_MESSAGE, REFUSED_MESSAGE } from './sessionNotices';

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
/**
 * Why the shared session ended, so the other tabs end theirs with the same notice: "expired"
 * where it expired, SIGNED_OUT_ELSEWHERE_MESSAGE where the user signed out. Written just before
 * the session is removed and removed just after, so nothing is left in storage after a sign-out:
 * the other tabs read it from its `storage` event (newValue), which comes before the session's.
 * It names the session by its user and expiry, never by its token.
 */
export const SESSION_ENDED_STORAGE_KEY = 'microservice-math.session-ended';

export interface EndedMarker {
  userId: string;
  expiresAt: string;
  /** The notice the ending tab showed; null for a sign-out. */
  notice: string | null;
}

/** The shared session, or null; a value that is not a session is removed. */
export function readStored(storage: Storage): SessionData | null {
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

export function storeSession(storage: Storage, data: SessionData): void {
  storage.setItem(SESSION_STORAGE_KEY, JSON.stringify(data));
}

/** Removes the shared session `ending`, saying why (EndedMarker) to the other tabs. */
export function removeStored(
  storage: Storage,
  ending: SessionData | null,
  notice: string | null,
): void {
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

/** The EndedMarker another tab wrote (a `storage` event's newValue), or null if it is none. */
export function endedMarkerOf(raw: string | null): EndedMarker | null {
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
