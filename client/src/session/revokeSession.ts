/**
 * Asks the server to revoke the session's token (the contract's `logout` mutation), so a copy of
 * it left somewhere (another device's clipboard, a log) stops working before it would expire.
 * Best effort: signing out must never depend on the server answering, so every failure, and an
 * answer slower than REVOKE_WAIT_MS, resolves all the same.
 */
import type { ApolloClient } from '@apollo/client/core';
import { graphql } from '../gql';
import { ENDS_SESSION } from '../graphql/apolloClient';

const LogoutMutation = graphql(/* GraphQL */ `
  mutation Logout {
    logout
  }
`);

/** How long sign-out waits for the server before going ahead without it. */
export const REVOKE_WAIT_MS = 3_000;

export async function revokeSession(apollo: ApolloClient<unknown>): Promise<void> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), REVOKE_WAIT_MS);
  try {
    await apollo.mutate({
      mutation: LogoutMutation,
      fetchPolicy: 'no-cache',
      context: { fetchOptions: { signal: abort.signal }, [ENDS_SESSION]: true },
    });
  } catch {
    // The token may already be revoked or expired, or the server unreachable: the session ends
    // here either way, and the token expires on its own.
  } finally {
    clearTimeout(timer);
  }
}
