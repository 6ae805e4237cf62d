import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../../tests/support/waitFor';
import {
  EXPIRED_MESSAGE,
  REFUSED_MESSAGE,
  RenewalPostponed,
  SESSION_ENDED_STORAGE_KEY,
  SESSION_STORAGE_KEY,
  SIGNED_OUT_ELSEWHERE_MESSAGE,
  createSession,
  type Session,
  type SessionData,
} from './session';

const NOW = Date.parse('2026-11-26T12:00:00.000Z');

const data = (expiresAt: string): SessionData => ({
  token: 'token-1',
  expiresAt,
  user: { id: 'u1', username: 'ada' },
});

/** window.localStorage, with its writes done by `writes` (another tab's, a full one). */
function localStorageWith(writes: Partial<Pick<Storage, 'setItem' | 'removeItem'>>): Storage {
  const local = window.localStorage;
  return {
    get length() {
      return local.length;
    },
    key: (index) => local.key(index),
    getItem: (key) => local.getItem(key),
    setItem: (key, value) => local.setItem(key, value),
    removeItem: (key) => local.removeItem(key),
    clear: () => local.clear(),
    ...writes,
  };
}

describe('createSession', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOW });
    window.localStorage.clear();
    // Renewals at the time the schedule names, not spread earlier (a test below spreads them).
    vi.spyOn(Math, 'random').mockReturnValue(0);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('keeps a started session in localStorage, so a reload stays signed in', () => {
    createSession({ storage: window.localStorage }).start(data('2026-11-26T13:00:00.000Z'));

    const reloaded = createSession({ storage: window.localStorage });
    expect(reloaded.token()).toBe('token-1');
    expect(reloaded.current.value?.user.username).toBe('ada');
  });

  it('does not restore an expired session, and says why', () => {
    window.localStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify(data('2026-11-26T11:59:59.000Z')),
    );
    const session = createSession({ storage: window.localStorage });
    expect(session.token()).toBeNull();
    expect(session.notice.value).toBe(EXPIRED_MESSAGE);
    expect(window.localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });

  it('drops a stored value that is not a session', () => {
    window.localStorage.setItem(SESSION_STORAGE_KEY, '{"token":42}');
    expect(createSession({ storage: window.localStorage }).token()).toBeNull();
    expect(window.localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });

  it('ends itself when the token expires', async () => {
    const session = createSession({ storage: window.localStorage });
    session.start(data('2026-11-26T12:00:05.000Z'));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(session.token()).toBeNull();
    expect(session.notice.value).toBe(EXPIRED_MESSAGE);
  });

  it('clears storage and tells listeners when it ends', async () => {
    const session = createSession({ storage: window.localStorage });
    const ended = vi.fn();
    session.onEnd(ended);
    session.start(data('2026-11-26T13:00:00.000Z'));

    await session.end();

    expect(ended).toHaveBeenCalledOnce();
    expect(session.current.value).toBeNull();
    expect(session.notice.value).toBeNull();
    expect(window.localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });

  it('tells every listener of the end, even after one that throws', async () => {
    const session = createSession({ storage: window.localStorage });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const later = vi.fn();
    session.onEnd(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    session.onEnd(later);
    session.start(data('2026-11-26T13:00:00.000Z'));

    await session.end(EXPIRED_MESSAGE);

    expect(later).toHaveBeenCalledOnce();
    expect(error).toHaveBeenCalledOnce();
    error.mockRestore();
  });

  it('signs out by revoking the token while it is still the session, then ending', async () => {
    const tokensRevoked: Array<string | null> = [];
    const session: Session = createSession({
      storage: window.localStorage,
      revoke: async () => void tokensRevoked.push(session.token()),
    });
    session.start(data('2026-11-26T13:00:00.000Z'));

    await session.signOut();

    expect(tokensRevoked).toEqual(['token-1']);
    expect(session.current.value).toBeNull();
    expect(session.notice.value).toBeNull();
    expect(window.localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });

  it('signs out even when the server cannot revoke the token', async () => {
    const session = createSession({
      storage: window.localStorage,
      revoke: () => Promise.reject(new Error('unreachable')),
    });
    session.start(data('2026-11-26T13:00:00.000Z'));

    await session.signOut();

    expect(session.current.value).toBeNull();
    expect(window.localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });

  it('signs out even when storage is too full to say why', async () => {
    const local = window.localStorage;
    const full = localStorageWith({
      setItem: (key, value) => {
        if (key !== SESSION_STORAGE_KEY) throw new DOMException('full', 'QuotaExceededError');
        local.setItem(key, value);
      },
    });
    const session = createSession({ storage: full });
    session.start(data('2026-11-26T13:00:00.000Z'));

    await session.signOut();

    expect(session.current.value).toBeNull();
    expect(local.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });

  it('ends only once when several refusals arrive together', async () => {
    const session = createSession({ storage: window.localStorage });
    const ended = vi.fn();
    session.onEnd(ended);
    session.start(data('2026-11-26T13:00:00.000Z'));

    await Promise.all([session.end(EXPIRED_MESSAGE), session.end(EXPIRED_MESSAGE)]);

    expect(ended).toHaveBeenCalledOnce();
  });

  describe('across tabs', () => {
    const otherTab = () => {
      const events = new EventTarget();
      const tellOf = (key: string | null) =>
        events.dispatchEvent(Object.assign(new Event('storage'), { key }));
      return { events: events as unknown as Window, tellOf };
    };

    it('signs in a tab when another tab signs in, and out when it signs out', async () => {
      const tab = otherTab();
      const session = createSession({ storage: window.localStorage, events: tab.events });
      const ended = vi.fn();
      session.onEnd(ended);

      window.localStorage.setItem(
        SESSION_STORAGE_KEY,
        JSON.stringify(data('2026-11-26T13:00:00.000Z')),
      );
      tab.tellOf(SESSION_STORAGE_KEY);
      expect(session.token()).toBe('token-1');

      window.localStorage.removeItem(SESSION_STORAGE_KEY);
      tab.tellOf(SESSION_STORAGE_KEY);
      await waitFor(() => expect(ended).toHaveBeenCalledOnce());
      expect(session.current.value).toBeNull();
    });

    /**
     * A second tab on the same localStorage: what it writes reaches this tab as storage events
     * (with the value written), once delivered: browsers deliver them later, in order.
     */
    const twoTabs = () => {
      const events = new EventTarget();
      const queued: Event[] = [];
      const tell = (key: string, newValue: string | null) =>
        queued.push(Object.assign(new Event('storage'), { key, newValue }));
      const local = window.localStorage;
      const otherStorage = localStorageWith({
        setItem: (key, value) => {
          local.setItem(key, value);
          tell(key, value);
        },
        removeItem: (key) => {
          local.removeItem(key);
          tell(key, null);
        },
      });
      const deliver = () => {
        for (const event of queued.splice(0)) events.dispatchEvent(event);
      };
      const removeWithoutWord = () => otherStorage.removeItem(SESSION_STORAGE_KEY);
      const session = createSession({ storage: local, events: events as unknown as Window });
      session.start(data('2026-11-26T13:00:00.000Z'));
      const other = createSession({ storage: otherStorage });
      return { session, other, otherStorage, deliver, removeWithoutWord };
    };

    it('says "Signed out in another tab" when the user signs out in another tab, which says nothing and leaves nothing stored', async () => {
      const { session, other, deliver } = twoTabs();

      await other.signOut();
      deliver();

      await waitFor(() => expect(session.current.value).toBeNull());
      expect(session.notice.value).toBe(SIGNED_OUT_ELSEWHERE_MESSAGE);
      expect(other.notice.value).toBeNull();
      expect(window.localStorage.length).toBe(0);
    });

    it("says another tab's expiry or refusal as such, not as a sign-out", async () => {
      const { session, other, deliver } = twoTabs();

      await other.end(REFUSED_MESSAGE);
      deliver();

      await waitFor(() => expect(session.current.value).toBeNull());
      expect(session.notice.value).toBe(REFUSED_MESSAGE);
      expect(window.localStorage.length).toBe(0);
    });

    it('shows no notice from storage but its own', async () => {
      const tab = otherTab();
      const session = createSession({ storage: window.localStorage, events: tab.events });
      const stored = data('2026-11-26T13:00:00.000Z');
      session.start(stored);
      const marker = { userId: 'u1', expiresAt: stored.expiresAt, notice: 'Call +1 555 0100' };
      tab.events.dispatchEvent(
        Object.assign(new Event('storage'), {
          key: SESSION_ENDED_STORAGE_KEY,
          newValue: JSON.stringify(marker),
        }),
      );
      window.localStorage.removeItem(SESSION_STORAGE_KEY);
      tab.tellOf(SESSION_STORAGE_KEY);

      await waitFor(() => expect(session.current.value).toBeNull());
      expect(session.notice.value).toBe(SIGNED_OUT_ELSEWHERE_MESSAGE);
    });

    it('a refusal that arrives after another tab signed out (its logout closed this socket) says the sign-out', async () => {
      // Signing out in tab 1 revokes the token, and the server closes tab 2's socket as refused:
      // that may reach tab 2 before the storage events do. It was a sign-out, not a rejection.
      const { session, other, deliver } = twoTabs();
      await other.signOut(); // no event delivered yet

      await session.end(REFUSED_MESSAGE);
      expect(session.current.value).toBeNull();
      expect(session.notice.value).toBe(SIGNED_OUT_ELSEWHERE_MESSAGE);
      deliver();
      expect(session.notice.value).toBe(SIGNED_OUT_ELSEWHERE_MESSAGE);
    });

    it('puts its notice right when the word of why comes after its own refusal', async () => {
      // Every session refused at once: tab 1 ends first; tab 2's refusal comes before its events.
      const { session, other, deliver } = twoTabs();
      await other.end(REFUSED_MESSAGE);

      await session.end(REFUSED_MESSAGE);
      deliver();

      expect(session.notice.value).toBe(REFUSED_MESSAGE);
    });

    describe('onEndExplained', () => {
      /**
       * Another tab ends the session with `notice`, and this tab's own refusal (its socket, closed
       * by the server as the session went) comes before that tab's storage events: this tab guesses
       * a sign-out there, its time not being up. A null `notice`: the other tab signs out.
       */
      async function endedOnAGuess(notice: string | null) {
        const tabs = twoTabs();
        const ended: Array<{ byUser: boolean }> = [];
        const explained: Array<{ byUser: boolean }> = [];
        tabs.session.onEnd((end) => void ended.push(end));
        tabs.session.onEndExplained((end) => void explained.push({ ...end }));
        await (notice === null ? tabs.other.signOut() : tabs.other.end(notice));
        await tabs.session.end(REFUSED_MESSAGE);
        expect(ended).toEqual([expect.objectContaining({ byUser: true })]);
        return { ...tabs, ended, explained };
      }

      it.each([
        ['expired', EXPIRED_MESSAGE],
        ['was refused', REFUSED_MESSAGE],
      ])(
        'tells its listeners, once, that an end guessed a sign-out %s there after all',
        async (_case, notice) => {
          const { session, deliver, ended, explained } = await endedOnAGuess(notice);

          deliver();

          expect(session.notice.value).toBe(notice);
          // The very end the end listeners were told of, put right in place.
          expect(explained).toEqual([expect.objectContaining({ byUser: false })]);
          expect(ended[0]?.byUser).toBe(false);
        },
      );

      it('tells its listeners nothing when the word confirms the guess (a sign-out there)', async () => {
        const { session, deliver, explained } = await endedOnAGuess(null);

        deliver();

        expect(session.notice.value).toBe(SIGNED_OUT_ELSEWHERE_MESSAGE);
        expect(explained).toEqual([]);
      });

      it.each([
        ['while signed in again', false],
        ['after signing in again and signing out', true],
      ])(
        'does not apply a word that comes after a sign-in in this tab, %s',
        async (_case, signOutAgain) => {
          const { session, deliver, ended, explained } = await endedOnAGuess(EXPIRED_MESSAGE);
          const again = { ...data('2026-11-26T13:30:00.000Z'), token: 'token-2' };
          session.start(again);
          if (signOutAgain) await session.signOut();

          deliver();

          expect(explained).toEqual([]);
          expect(ended[0]?.byUser).toBe(true);
          expect(session.current.value).toEqual(signOutAgain ? null : again);
          expect(session.notice.value).toBeNull();
        },
      );
    });

    it('says "expired" where another tab, loaded after the computer slept, drops the expired session', async () => {
      const { session, otherStorage, deliver } = twoTabs();
      const ended = vi.fn();
      session.onEnd(ended);
      vi.setSystemTime(Date.parse('2026-11-26T15:00:00.000Z')); // asleep: no timer fired

      const loaded = createSession({ storage: otherStorage });
      deliver();

      expect(loaded.notice.value).toBe(EXPIRED_MESSAGE);
      await waitFor(() => expect(session.current.value).toBeNull());
      expect(session.notice.value).toBe(EXPIRED_MESSAGE);
      expect(ended).toHaveBeenCalledWith(expect.objectContaining({ byUser: false }));
      expect(window.localStorage.length).toBe(0);
    });

    it('guesses "expired" for its own session removed elsewhere without a word once past its expiry', async () => {
      const { session, deliver, removeWithoutWord } = twoTabs();
      vi.setSystemTime(Date.parse('2026-11-26T15:00:00.000Z'));

      removeWithoutWord();
      deliver();

      await waitFor(() => expect(session.current.value).toBeNull());
      expect(session.notice.value).toBe(EXPIRED_MESSAGE);
    });

    it("does not take an earlier session's end for a later one's", async () => {
      const { session, other, deliver, removeWithoutWord } = twoTabs();
      await other.end(REFUSED_MESSAGE);
      deliver();
      await waitFor(() => expect(session.current.value).toBeNull());
      session.start(data('2026-11-26T13:30:00.000Z'));

      removeWithoutWord(); // by a tab that says nothing of why (an older version of the app)
      deliver();

      await waitFor(() => expect(session.current.value).toBeNull());
      expect(session.notice.value).toBe(SIGNED_OUT_ELSEWHERE_MESSAGE);
    });

    it('signing out lets other tabs know before the token is revoked', async () => {
      const storedWhenRevoked: Array<string | null> = [];
      const session: Session = createSession({
        storage: window.localStorage,
        revoke: async () =>
          void storedWhenRevoked.push(window.localStorage.getItem(SESSION_STORAGE_KEY)),
      });
      session.start(data('2026-11-26T13:00:00.000Z'));

      await session.signOut();

      expect(storedWhenRevoked).toEqual([null]);
    });

    // The revocation closes this tab's own socket as refused, and that refusal can come back
    // before the revocation's answer: found in Chromium, where the tab signed out from said
    // "Signed out in another tab.".
    it('says nothing in the tab signed out from, when its own refusal comes during the revocation', async () => {
      const ended: boolean[] = [];
      const session: Session = createSession({
        storage: window.localStorage,
        revoke: () => session.end(REFUSED_MESSAGE),
      });
      session.onEnd(({ byUser }) => void ended.push(byUser));
      session.start(data('2026-11-26T13:00:00.000Z'));

      await session.signOut();

      expect(session.current.value).toBeNull();
      expect(session.notice.value).toBeNull();
      expect(ended).toEqual([true]);
    });

    it('a refusal does not sign out the session another tab has since started', async () => {
      const tab = otherTab();
      const session = createSession({ storage: window.localStorage, events: tab.events });
      session.start(data('2026-11-26T13:00:00.000Z'));
      const newer = { ...data('2026-11-26T14:00:00.000Z'), token: 'token-2' };
      window.localStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify(newer));

      await session.end(REFUSED_MESSAGE);

      expect(JSON.parse(window.localStorage.getItem(SESSION_STORAGE_KEY) ?? 'null')).toEqual(newer);
    });

    it("ends this tab's session before taking up another user's, so its cache is cleared", async () => {
      const tab = otherTab();
      const session = createSession({ storage: window.localStorage, events: tab.events });
      session.start(data('2026-11-26T13:00:00.000Z'));
      const seenWhenEnded: Array<string | undefined> = [];
      session.onEnd(() => void seenWhenEnded.push(session.current.value?.user.id));

      const grace = {
        token: 'token-2',
        expiresAt: '2026-11-26T13:00:00.000Z',
        user: { id: 'u2', username: 'grace' },
      };
      window.localStorage.setItem(SESSION_STORAGE_KEY, JSON.stringify(grace));
      tab.tellOf(SESSION_STORAGE_KEY);

      await waitFor(() => expect(session.current.value?.user.username).toBe('grace'));
      expect(seenWhenEnded).toEqual([undefined]);
    });
  });

  describe('renewal', () => {
    // Found in Chromium: every tab that took up a renewed token renewed it again at the same
    // moment, and the server minted a token for each.
    it('is asked for by one tab of several: the others take up the token it stores', async () => {
      const otherTabEvents = new EventTarget();
      const renewed = { ...data('2026-11-26T14:00:00.000Z'), token: 'token-2' };
      const first = vi.fn().mockResolvedValue(renewed);
      const second = vi.fn().mockResolvedValue({ ...renewed, token: 'token-3' });
      const tab1 = createSession({ storage: window.localStorage, renew: first, random: () => 1 });
      tab1.start(data('2026-11-26T13:00:00.000Z'));
      const tab2 = createSession({
        storage: window.localStorage,
        renew: second,
        random: () => 0,
        events: otherTabEvents as unknown as Window,
      });
      expect(tab2.token()).toBe('token-1');

      await vi.advanceTimersByTimeAsync(55 * 60_000 - 10_000); // tab 1's time, 10 s early
      expect(first).toHaveBeenCalledOnce();
      otherTabEvents.dispatchEvent(
        Object.assign(new Event('storage'), { key: SESSION_STORAGE_KEY }),
      );
      await vi.advanceTimersByTimeAsync(60_000); // past tab 2's own time

      expect(second).not.toHaveBeenCalled();
      expect(tab2.token()).toBe('token-2');
      tab2.dispose();
    });

    it('does not store a token renewed while the user signs out', async () => {
      let answerRenewal: (renewed: SessionData) => void = () => {};
      const renew = vi.fn(
        () => new Promise<SessionData | null>((resolve) => (answerRenewal = resolve)),
      );
      let answerRevocation: () => void = () => {};
      const revoke = () => new Promise<void>((resolve) => (answerRevocation = resolve));
      const session = createSession({ storage: window.localStorage, renew, revoke });
      session.start(data('2026-11-26T13:00:00.000Z'));
      await vi.advanceTimersByTimeAsync(55 * 60_000);
      expect(renew).toHaveBeenCalledOnce();

      const signingOut = session.signOut();
      answerRenewal({ ...data('2026-11-26T14:00:00.000Z'), token: 'token-2' });
      await vi.advanceTimersByTimeAsync(0);
      expect(window.localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
      answerRevocation();
      await signingOut;

      expect(session.current.value).toBeNull();
      expect(window.localStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
    });

    it('renews the token before it expires and keeps the session going', async () => {
      const renewed = { ...data('2026-11-26T14:00:00.000Z'), token: 'token-2' };
      const renew = vi.fn().mockResolvedValue(renewed);
      const session = createSession({ storage: window.localStorage, renew });
      session.start(data('2026-11-26T13:00:00.000Z'));

      await vi.advanceTimersByTimeAsync(55 * 60_000);
      expect(renew).toHaveBeenCalledOnce();
      expect(session.token()).toBe('token-2');
      expect(JSON.parse(window.localStorage.getItem(SESSION_STORAGE_KEY) ?? '{}').token).toBe(
        'token-2',
      );
    });

    it('tries again while the server cannot be reached, and keeps the session once it renews', async () => {
      const renewed = { ...data('2026-11-26T14:00:00.000Z'), token: 'token-2' };
      const renew = vi
        .fn()
        .mockRejectedValueOnce(new Error('unreachable'))
        .mockRejectedValueOnce(new Error('unreachable'))
        .mockResolvedValue(renewed);
      const session = createSession({ storage: window.localStorage, renew });
      session.start(data('2026-11-26T13:00:00.000Z'));

      // Renewal starts 5 minutes before expiry; the router is away for the first two attempts.
      await vi.advanceTimersByTimeAsync(59 * 60_000);
      expect(renew).toHaveBeenCalledTimes(3);
      expect(session.token()).toBe('token-2');
      await vi.advanceTimersByTimeAsync(2 * 60_000); // past the first token's expiry
      expect(session.token()).toBe('token-2');
      expect(session.notice.value).toBeNull();
    });

    it.each([
      ['past the expiry', 10 * 60_000],
      ['longer than a timer can wait', 2 ** 31],
    ])('asks no more when the server says to wait %s', async (_case, retryAfterMs) => {
      const renew = vi.fn().mockRejectedValue(new RenewalPostponed(retryAfterMs));
      const session = createSession({ storage: window.localStorage, renew });
      session.start(data('2026-11-26T13:00:00.000Z'));

      await vi.advanceTimersByTimeAsync(55 * 60_000); // renewal starts 5 minutes before expiry
      await vi.advanceTimersByTimeAsync(60_000);
      expect(renew).toHaveBeenCalledOnce();
      expect(vi.getTimerCount()).toBe(1); // the expiry's
    });

    it('waits as long as the server says when it refuses a renewal for now (RATE_LIMITED)', async () => {
      const renewed = { ...data('2026-11-26T14:00:00.000Z'), token: 'token-2' };
      const renew = vi
        .fn()
        .mockRejectedValueOnce(new RenewalPostponed(90_000))
        .mockResolvedValue(renewed);
      const session = createSession({ storage: window.localStorage, renew });
      session.start(data('2026-11-26T13:00:00.000Z'));

      await vi.advanceTimersByTimeAsync(55 * 60_000); // renewal starts 5 minutes before expiry
      expect(renew).toHaveBeenCalledOnce();
      // Not after its own 5 s, nor anywhere within the 90 s asked for.
      await vi.advanceTimersByTimeAsync(89_000);
      expect(renew).toHaveBeenCalledOnce();
      expect(session.token()).toBe('token-1');
      await vi.advanceTimersByTimeAsync(1_000);
      expect(renew).toHaveBeenCalledTimes(2);
      expect(session.token()).toBe('token-2');
      expect(session.notice.value).toBeNull();
    });

    it('stops trying when the token expires, if the server never came back', async () => {
      const renew = vi.fn().mockRejectedValue(new Error('unreachable'));
      const session = createSession({ storage: window.localStorage, renew });
      session.start(data('2026-11-26T13:00:00.000Z'));

      await vi.advanceTimersByTimeAsync(60 * 60_000);
      expect(session.token()).toBeNull();
      expect(session.notice.value).toBe(EXPIRED_MESSAGE);
      const tries = renew.mock.calls.length;
      expect(tries).toBeGreaterThan(1);
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      expect(renew).toHaveBeenCalledTimes(tries);
    });

    it('stops renewing once the session is at its maximum age, and never renews in a burst', async () => {
      // TOKEN_TTL_SECONDS=60, AUTH_MAX_SESSION_SECONDS=150: auth caps each token at the session's end.
      const sessionEnds = NOW + 150_000;
      const renewedAt: number[] = [];
      const renew = vi.fn(async () => {
        renewedAt.push(Date.now() - NOW);
        return {
          ...data(new Date(Math.min(Date.now() + 60_000, sessionEnds)).toISOString()),
          token: `token-${renewedAt.length + 1}`,
        };
      });
      const session = createSession({ storage: window.localStorage, renew });
      session.start(data(new Date(NOW + 60_000).toISOString()));

      await vi.advanceTimersByTimeAsync(140_000);
      // At 45 s (to 105 s), 90 s (to 150 s) and 135 s, which could not extend it: the last.
      expect(renewedAt).toEqual([45_000, 90_000, 135_000]);
      // A reload (or another tab) keeps to that: no renewal of a token at the session's end.
      const reloadedRenew = vi.fn(async () => null);
      const reloaded = createSession({ storage: window.localStorage, renew: reloadedRenew });
      await vi.advanceTimersByTimeAsync(20_000);
      expect(renewedAt).toEqual([45_000, 90_000, 135_000]);
      expect(reloadedRenew).not.toHaveBeenCalled();
      expect(session.token()).toBeNull();
      expect(session.notice.value).toBe(EXPIRED_MESSAGE);
      reloaded.dispose();
    });

    it('renews no sooner than 30 s after the last renewal, even for a short-lived token', async () => {
      const renewedAt: number[] = [];
      const renew = vi.fn(async () => {
        renewedAt.push(Date.now() - NOW);
        // A server that answers 20 s tokens, each a little later than the last.
        return {
          ...data(new Date(Date.now() + 20_000).toISOString()),
          token: `token-${renewedAt.length + 1}`,
        };
      });
      const session = createSession({ storage: window.localStorage, renew });
      session.start(data(new Date(NOW + 60_000).toISOString()));
      await vi.advanceTimersByTimeAsync(120_000);
      // The renewal at 45 s gives a token until 65 s; the next could not be before 75 s: none.
      expect(renewedAt).toEqual([45_000]);
      session.dispose();
    });

    it('lets the session run out when the server will not renew it', async () => {
      const renew = vi.fn().mockResolvedValue(null);
      const session = createSession({ storage: window.localStorage, renew });
      session.start(data('2026-11-26T13:00:00.000Z'));

      await vi.advanceTimersByTimeAsync(60 * 60_000);
      expect(renew).toHaveBeenCalledOnce();
      expect(session.token()).toBeNull();
      expect(session.notice.value).toBe(EXPIRED_MESSAGE);
    });
  });
});
