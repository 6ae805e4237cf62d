/**
 * Asks the server for a fresh token (the contract's `renewToken` mutation). Any failure, from a
 * server without the mutation to a session past its maximum age, answers null: the session then
 * runs out at its expiry as it would without renewal.
 */
import type { ApolloClient } from '@apollo/client/core';
import { graphql } from '../gql';
import type { SessionData } from './session';
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
  } catch {
    return null;
  }
}
