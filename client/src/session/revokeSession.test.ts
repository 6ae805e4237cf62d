import { afterEach, describe, expect, it } from 'vitest';
import { createTestGraphQLClient, type TestGraphQLClient } from '../testing/fakeGraphQLServer';
import { revokeSession } from './revokeSession';

let client: TestGraphQLClient | undefined;
afterEach(() => client?.dispose());

describe('revokeSession', () => {
  it("sends logout with the session's own token", async () => {
    client = createTestGraphQLClient({ Logout: () => ({ data: { logout: true } }) });
    await revokeSession(client.apollo);
    expect(client.sent).toEqual([
      expect.objectContaining({ operationName: 'Logout', authorization: 'Bearer test-token' }),
    ]);
  });

  it('resolves when the token is already refused, without an "expired" notice', async () => {
    client = createTestGraphQLClient({
      Logout: () => ({
        status: 401,
        errors: [{ message: 'Token revoked', extensions: { code: 'UNAUTHENTICATED' } }],
      }),
    });
    await expect(revokeSession(client.apollo)).resolves.toBeUndefined();
    // The sign-out that sent it ends the session, as a plain sign-out.
    expect(client.session.token()).toBe('test-token');
    expect(client.session.notice.value).toBeNull();
  });

  it('resolves when the server cannot be reached', async () => {
    client = createTestGraphQLClient({
      Logout: () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await expect(revokeSession(client.apollo)).resolves.toBeUndefined();
  });
});
