/**
 * Asks the server for a fresh token (the contract's `renewToken` mutation). Any failure, from a
 * server without the mutation to a session past its maximum age, answers null: the session then
 * runs out at its expiry as it would without renewal.
 */
import type { ApolloClient } from '@apollo/client/core';
import type { DocumentNode, FieldNode, Kind, OperationTypeNode } from 'graphql';
import type { SessionData } from './session';

/** A field of the document below, with the fields selected under it. */
function field(name: string, selections: FieldNode[] = []): FieldNode {
  return {
    kind: 'Field' as Kind.FIELD,
    name: { kind: 'Name' as Kind.NAME, value: name },
    ...(selections.length > 0
      ? { selectionSet: { kind: 'SelectionSet' as Kind.SELECTION_SET, selections } }
      : {}),
  };
}

/**
 * `mutation RenewToken { renewToken { token expiresAt user { id username } } }`, built as the
 * document graphql() would give: the schema this client's types are generated from may not have
 * `renewToken` yet, and codegen refuses a document it cannot validate (parsing it at run time
 * would add GraphQL's parser to the bundle). Once the schema has it, this belongs in graphql()
 * with the SessionFields fragment.
 */
const RenewTokenMutation: DocumentNode = {
  kind: 'Document' as Kind.DOCUMENT,
  definitions: [
    {
      kind: 'OperationDefinition' as Kind.OPERATION_DEFINITION,
      operation: 'mutation' as OperationTypeNode.MUTATION,
      name: { kind: 'Name' as Kind.NAME, value: 'RenewToken' },
      selectionSet: {
        kind: 'SelectionSet' as Kind.SELECTION_SET,
        selections: [
          field('renewToken', [
            field('token'),
            field('expiresAt'),
            field('user', [field('id'), field('username')]),
          ]),
        ],
      },
    },
  ],
};

export async function renewSession(apollo: ApolloClient<unknown>): Promise<SessionData | null> {
  try {
    const { data } = await apollo.mutate<{ renewToken?: SessionData | null }>({
      mutation: RenewTokenMutation,
      fetchPolicy: 'no-cache',
    });
    const renewed = data?.renewToken;
    if (!renewed || typeof renewed.token !== 'string') return null;
    const { token, expiresAt, user } = renewed;
    return { token, expiresAt, user: { id: user.id, username: user.username } };
  } catch {
    return null;
  }
}
