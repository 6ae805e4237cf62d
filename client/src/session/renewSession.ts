/**
 * Asks the server for a fresh token (the contract's `renewToken` mutation). A refusal, from a
 * server without the mutation to a session past its maximum age, answers null: the session then
 * runs out at its expiry as it would without renewal. A server that could not answer (away,
 * restarting, overloaded) rejects, and the session asks again: no sooner than the server's
 * `retryAfterSeconds` when it gave one (a RenewalPostponed).
 */
import type { ApolloClient } from '@apollo/client/core';
import { graphql } from '../gql';
import { isTransient, retryAfterSecondsOf } from '../graphql/operationErrors';
import { RenewalPostponed, type SessionData } from './session';
import { sessionDataOf } from './sessionFields';

const RenewTokenMutation = graphql(/* GraphQL */ `
  mutation RenewToken {
    renewToken {
      ...SessionFields_AuthPayload
    }
  }
`);

export async function renewSession(apollo: ApolloClient<unknown>): Promise<SessionData | null> {
  try {
    const { data } = await apollo.mutate({ mutation: RenewTokenMutation, fetchPolicy: 'no-cache' });
    return data ? sessionDataOf(data.renewToken) : null;
  } catch (error) {
    if (isTransient(error)) {
      const seconds = retryAfterSecondsOf(error);
      throw seconds === undefined ? error : new RenewalPostponed(seconds * 1000, { cause: error });
    }
    return null;
  }
}
