import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { RECENT_LOGS_LIMIT, RecentLogsQuery } from '../logs/recentLogs';
import { EXPIRED_MESSAGE, REFUSED_MESSAGE } from '../session/session';
import { createTestGraphQLClient, type TestGraphQLClient } from '../testing/fakeGraphQLServer';
import { requestLog } from '../testing/requestLog';

const query = { query: RecentLogsQuery, variables: { limit: RECENT_LOGS_LIMIT } };
const log = requestLog();

let client: TestGraphQLClient | undefined;
afterEach(() => {
  client?.dispose();
  vi.restoreAllMocks();
});

describe('createGraphQLClient', () => {
  it("sends the session's token as a bearer token", async () => {
    client = createTestGraphQLClient({ RecentLogs: () => ({ data: { recentLogs: [log] } }) });
    await client.apollo.query(query);
    expect(client.sent[0]?.authorization).toBe('Bearer test-token');
  });

  it('sends no authorization header when signed out', async () => {
    client = createTestGraphQLClient(
      { RecentLogs: () => ({ data: { recentLogs: [] } }) },
      { signedIn: false },
    );
    await client.apollo.query(query);
    expect(client.sent[0]?.authorization).toBeNull();
  });

  it('ends the session with a message when the server refuses its token', async () => {
    client = createTestGraphQLClient({
      RecentLogs: () => ({
        data: null,
        errors: [{ message: 'Token expired', extensions: { code: 'UNAUTHENTICATED' } }],
      }),
    });
    await expect(client.apollo.query(query)).rejects.toThrow();
    expect(client.session.token()).toBeNull();
    expect(client.session.notice.value).toBe(EXPIRED_MESSAGE);
  });

  /**
   * The notice of a session whose token the server refuses with `message` (UNAUTHENTICATED), as
   * this tab's clock reads `pastExpiry` or not: past it, a clock ahead, or a computer that slept
   * through the expiry timer.
   */
  async function noticeWhenRefused(message: string, { pastExpiry = false } = {}) {
    client = createTestGraphQLClient({
      RecentLogs: () => ({
        status: 401,
        errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }],
      }),
    });
    if (pastExpiry) vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 2 * 3_600_000);
    await expect(client.apollo.query(query)).rejects.toThrow();
    expect(client.session.token()).toBeNull();
    return client.session.notice.value;
  }

  it('does not call a token refused as "revoked or expired" expired while its time is left', async () => {
    expect(await noticeWhenRefused('Token revoked or expired; sign in again')).toBe(
      REFUSED_MESSAGE,
    );
  });

  it('does not call a token the server cannot read expired (a corrupted stored token)', async () => {
    expect(await noticeWhenRefused('Invalid token')).toBe(REFUSED_MESSAGE);
  });

  // The server says what it refused the token for; this tab's clock does not outvote it.
  it.each([
    ['revoked', 'Token revoked; sign in again'],
    ['unreadable', 'Invalid token'],
  ])(
    'says a token the server refuses as %s is refused, even once its time has passed here',
    async (_case, message) => {
      expect(await noticeWhenRefused(message, { pastExpiry: true })).toBe(REFUSED_MESSAGE);
    },
  );

  it('says a token refused as "revoked or expired" expired once its time has passed here', async () => {
    const message = 'Token revoked or expired; sign in again';
    expect(await noticeWhenRefused(message, { pastExpiry: true })).toBe(EXPIRED_MESSAGE);
  });

  it('ends the session on an HTTP 401 too', async () => {
    client = createTestGraphQLClient({
      RecentLogs: () => ({ status: 401, errors: [{ message: 'Unauthorized' }] }),
    });
    await expect(client.apollo.query(query)).rejects.toThrow();
    expect(client.session.token()).toBeNull();
  });

  it('clears the cache when the session ends', async () => {
    client = createTestGraphQLClient({ RecentLogs: () => ({ data: { recentLogs: [log] } }) });
    await client.apollo.query(query);
    expect(client.apollo.cache.extract()).not.toEqual({});

    await client.session.end();
    expect(client.apollo.cache.extract()).toEqual({});
  });

  it('appends a page fetched before a cursor to the one recent-logs list, once per log', async () => {
    const page = (from: number, count: number) =>
      Array.from({ length: count }, (_, index) => ({ ...log, id: `log-${from - index}` }));
    client = createTestGraphQLClient({
      RecentLogs: ({ variables }) => ({
        data: { recentLogs: variables['before'] === 'log-21' ? page(21, 6) : page(40, 20) },
      }),
    });
    const watched = client.apollo.watchQuery(query);
    await watched.result();

    const older = await watched.fetchMore({
      variables: { limit: RECENT_LOGS_LIMIT, before: 'log-21' },
    });

    expect(older.data.recentLogs).toHaveLength(6);
    const listed = watched.getCurrentResult().data.recentLogs.map(({ id }) => id);
    expect(listed).toEqual([...page(40, 20), ...page(20, 5)].map(({ id }) => id));
    expect(client.sent.map(({ variables }) => variables['before'])).toEqual([undefined, 'log-21']);
  });
  it('moves the live socket to a renewed token until it is disposed', async () => {
    client = createTestGraphQLClient({});
    const restart = vi.spyOn(client.live, 'restart');
    const renewed = (token: string) => ({
      token,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      user: { id: 'u1', username: 'ada' },
    });

    client.session.start(renewed('renewed-1'));
    await nextTick();
    expect(restart).toHaveBeenCalledOnce();

    client.dispose();
    client.session.start(renewed('renewed-2'));
    await nextTick();
    expect(restart).toHaveBeenCalledOnce();
  });
});
