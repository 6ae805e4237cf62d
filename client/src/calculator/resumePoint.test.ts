import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createSession,
  EXPIRED_MESSAGE,
  REFUSED_MESSAGE,
  SESSION_ENDED_STORAGE_KEY,
  SESSION_STORAGE_KEY,
  type Session,
} from '../session/session';
import {
  createResumePoints,
  MAX_RESUME_POINT_CHARACTERS,
  RESUME_POINT_STORAGE_KEY,
  type ResumePoint,
} from './resumePoint';

const point: ResumePoint = {
  search: '?op=factorial&n=5',
  draft: {
    operation: 'POWER',
    values: { base: '2', exponent: '1000', precision: '7', n: '5' },
    expression: '2 ^ 1000',
  },
};

describe('createResumePoints', () => {
  let session: Session;
  beforeEach(() => {
    window.localStorage.clear();
    window.sessionStorage.clear();
    session = createSession({ storage: window.localStorage });
    session.start({
      token: 'token-1',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      user: { id: 'u1', username: 'ada' },
    });
  });

  it('keeps what was left when the session expires, for its user only, once', async () => {
    const points = createResumePoints({ session, storage: window.sessionStorage });
    points.leave(point);
    await session.end(EXPIRED_MESSAGE);
    expect(points.take('u1')).toEqual(point);
    expect(points.take('u1')).toBeNull();
  });

  it("forgets it when another user takes it, and after the user's sign-out", async () => {
    const points = createResumePoints({ session, storage: window.sessionStorage });
    points.leave(point);
    await session.end(EXPIRED_MESSAGE);
    expect(points.take('u2')).toBeNull();
    expect(points.take('u1')).toBeNull();
    expect(window.sessionStorage.getItem(RESUME_POINT_STORAGE_KEY)).toBeNull();

    session.start({
      token: 'token-2',
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      user: { id: 'u1', username: 'ada' },
    });
    points.leave(point);
    await session.signOut();
    expect(points.take('u1')).toBeNull();
  });

  describe('when another tab ended the session and its word of why came late', () => {
    /** This tab's session, on storage another tab changes, with that tab's storage events. */
    function sessionOfTwoTabs() {
      const events = new EventTarget();
      const tell = (key: string, newValue: string | null) =>
        events.dispatchEvent(Object.assign(new Event('storage'), { key, newValue }));
      const tab = createSession({
        storage: window.localStorage,
        events: events as unknown as Window,
      });
      const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
      tab.start({ token: 'token-1', expiresAt, user: { id: 'u1', username: 'ada' } });
      const word = (notice: string | null) =>
        tell(SESSION_ENDED_STORAGE_KEY, JSON.stringify({ userId: 'u1', expiresAt, notice }));
      return { tab, tell, word };
    }

    it('keeps the point once the word says it expired, not signed out as guessed', async () => {
      const { tab, tell, word } = sessionOfTwoTabs();
      const points = createResumePoints({ session: tab, storage: window.sessionStorage });
      points.leave(point);
      window.localStorage.removeItem(SESSION_STORAGE_KEY);
      tell(SESSION_STORAGE_KEY, null); // the removal's event before the word's
      await vi.waitFor(() => expect(tab.current.value).toBeNull());
      await flushPromises();

      word(EXPIRED_MESSAGE);
      expect(points.take('u1')).toEqual(point);
    });

    it('forgets the point once the word says the user signed out, not expired as guessed', async () => {
      const { tab, word } = sessionOfTwoTabs();
      const points = createResumePoints({ session: tab, storage: window.sessionStorage });
      points.leave(point);
      window.localStorage.removeItem(SESSION_STORAGE_KEY);
      await tab.end(EXPIRED_MESSAGE); // its own expiry, as the other tab signed out

      word(null);
      expect(points.take('u1')).toBeNull();
    });

    it('keeps the point once the word says the server refused the session, not signed out as guessed', async () => {
      const { tab, tell, word } = sessionOfTwoTabs();
      const points = createResumePoints({ session: tab, storage: window.sessionStorage });
      points.leave(point);
      window.localStorage.removeItem(SESSION_STORAGE_KEY);
      tell(SESSION_STORAGE_KEY, null);
      await vi.waitFor(() => expect(tab.current.value).toBeNull());
      await flushPromises();
      expect(points.take('u1')).toBeNull(); // forgotten on the guess

      word(REFUSED_MESSAGE);
      expect(points.take('u1')).toEqual(point);
    });
  });

  it("applies a late word of why only to the last session that ended: never to another user's point", async () => {
    // A word of why for an end that is no longer the last: the session tells none such (it
    // forgets the awaited word at a sign-in), and resume points hold to that too.
    type Ended = Parameters<Parameters<Session['onEnd']>[0]>[0];
    const ends: Array<(ended: Ended) => void | Promise<void>> = [];
    const explains: Array<(ended: Ended) => void> = [];
    const points = createResumePoints({
      session: {
        onEnd: (listener) => void ends.push(listener),
        onEndExplained: (listener) => void explains.push(listener),
      },
      storage: window.sessionStorage,
    });
    const adas = { user: { id: 'u1', username: 'ada' }, byUser: true };
    points.leave(point);
    for (const listener of ends) await listener(adas); // guessed: signed out elsewhere
    // Grace signs in in this tab, works, and signs out.
    points.leave({ ...point, draft: { ...point.draft, expression: "grace's" } });
    for (const listener of ends)
      await listener({ user: { id: 'u2', username: 'grace' }, byUser: true });

    for (const listener of explains) listener(Object.assign(adas, { byUser: false }));
    expect(points.take('u1')).toBeNull();
  });

  it('keeps nothing, and lets the end go on, when storage is full', async () => {
    window.sessionStorage.setItem(RESUME_POINT_STORAGE_KEY, JSON.stringify({ userId: 'u0' }));
    const full: Storage = {
      length: 0,
      key: () => null,
      clear: () => {},
      getItem: (key) => window.sessionStorage.getItem(key),
      removeItem: (key) => window.sessionStorage.removeItem(key),
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    const points = createResumePoints({ session, storage: full });
    const later = vi.fn();
    session.onEnd(later);
    points.leave(point);
    await session.end(EXPIRED_MESSAGE);
    expect(window.sessionStorage.getItem(RESUME_POINT_STORAGE_KEY)).toBeNull();
    expect(later).toHaveBeenCalledOnce();
  });

  it('does not keep a draft too long to be worth storing', async () => {
    const points = createResumePoints({ session, storage: window.sessionStorage });
    const huge = '9'.repeat(MAX_RESUME_POINT_CHARACTERS);
    points.leave({
      ...point,
      draft: { ...point.draft, values: { ...point.draft.values, base: huge } },
    });
    await session.end(EXPIRED_MESSAGE);
    expect(window.sessionStorage.getItem(RESUME_POINT_STORAGE_KEY)).toBeNull();
  });

  it.each([
    ['another origin', '//evil.example/x', ''],
    ['no calculation', '?utm=1', ''],
    ['a calculation', '?op=Power&base=2&exponent=3&x=1', '?op=power&base=2&exponent=3'],
  ])(
    'gives back a stored address that is %s only as a calculation of its own',
    (_case, search, given) => {
      const points = createResumePoints({ session, storage: window.sessionStorage });
      window.sessionStorage.setItem(
        RESUME_POINT_STORAGE_KEY,
        JSON.stringify({ userId: 'u1', ...point, search }),
      );
      expect(points.take('u1')).toEqual({ ...point, search: given });
    },
  );

  it.each([
    ['not JSON', '{'],
    ['no draft', JSON.stringify({ userId: 'u1', search: '' })],
    [
      'an operation it does not know',
      JSON.stringify({ userId: 'u1', ...point, draft: { ...point.draft, operation: 'toString' } }),
    ],
  ])('gives nothing for a stored value that is %s', (_case, raw) => {
    const points = createResumePoints({ session, storage: window.sessionStorage });
    window.sessionStorage.setItem(RESUME_POINT_STORAGE_KEY, raw);
    expect(points.take('u1')).toBeNull();
  });
});
