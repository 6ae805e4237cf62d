import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EXPIRED_MESSAGE, SESSION_STORAGE_KEY, createSession, type SessionData } from './session';

const NOW = Date.parse('2026-11-26T12:00:00.000Z');

const data = (expiresAt: string): SessionData => ({
  token: 'token-1',
  expiresAt,
  user: { id: 'u1', username: 'ada' },
});

describe('createSession', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOW });
    window.sessionStorage.clear();
  });
  afterEach(() => vi.useRealTimers());

  it('keeps a started session in sessionStorage, so a reload stays signed in', () => {
    createSession({ storage: window.sessionStorage }).start(data('2026-11-26T13:00:00.000Z'));

    const reloaded = createSession({ storage: window.sessionStorage });
    expect(reloaded.token()).toBe('token-1');
    expect(reloaded.current.value?.user.username).toBe('ada');
  });

  it('does not restore an expired session, and says why', () => {
    window.sessionStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify(data('2026-11-26T11:59:59.000Z')),
    );
    const session = createSession({ storage: window.sessionStorage });
    expect(session.token()).toBeNull();
    expect(session.notice.value).toBe(EXPIRED_MESSAGE);
    expect(window.sessionStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });

  it('drops a stored value that is not a session', () => {
    window.sessionStorage.setItem(SESSION_STORAGE_KEY, '{"token":42}');
    expect(createSession({ storage: window.sessionStorage }).token()).toBeNull();
    expect(window.sessionStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });

  it('ends itself when the token expires', async () => {
    const session = createSession({ storage: window.sessionStorage });
    session.start(data('2026-11-26T12:00:05.000Z'));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(session.token()).toBeNull();
    expect(session.notice.value).toBe(EXPIRED_MESSAGE);
  });

  it('clears storage and tells listeners when it ends', async () => {
    const session = createSession({ storage: window.sessionStorage });
    const ended = vi.fn();
    session.onEnd(ended);
    session.start(data('2026-11-26T13:00:00.000Z'));

    await session.end();

    expect(ended).toHaveBeenCalledOnce();
    expect(session.current.value).toBeNull();
    expect(session.notice.value).toBeNull();
    expect(window.sessionStorage.getItem(SESSION_STORAGE_KEY)).toBeNull();
  });

  it('ends only once when several refusals arrive together', async () => {
    const session = createSession({ storage: window.sessionStorage });
    const ended = vi.fn();
    session.onEnd(ended);
    session.start(data('2026-11-26T13:00:00.000Z'));

    await Promise.all([session.end(EXPIRED_MESSAGE), session.end(EXPIRED_MESSAGE)]);

    expect(ended).toHaveBeenCalledOnce();
  });
});
