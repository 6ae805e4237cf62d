/**
 * `register` and `login` answer a non-null `AuthPayload`, and its `user.logs` comes from math,
 * which answers only a signed-in caller. The request that signs in has none yet, so math would
 * refuse the field, and its error would null the whole answer after the account was made or the
 * password checked: the token would be lost. Such a selection is refused as a whole before
 * anything runs, naming the field; `renewToken` has its caller, so it may ask for them.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { codedError, ErrorCode } from '@microservice-math/shared/errors';
import { fragmentsOf, selectedFields } from '@microservice-math/shared/selection';
import { getVariableValues, type FieldNode } from 'graphql';

const SIGN_IN_FIELDS = new Set(['register', 'login']);

export function refuseLogsWhileSigningIn<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          if (operation?.operation !== 'mutation') return;
          const variables = getVariableValues(
            schema,
            operation.variableDefinitions ?? [],
            request.variables ?? {},
          );
          if (variables.errors) return; // execution reports them, before any field runs
          // As execution will run them: through fragments, without those @skip/@include drop.
          const scope = { fragments: fragmentsOf(document), variableValues: variables.coerced };
          const subfields = (field: FieldNode, name: string) =>
            field.selectionSet
              ? selectedFields(field.selectionSet, scope).filter((f) => f.name.value === name)
              : [];
          for (const signIn of selectedFields(operation.selectionSet, scope)) {
            if (!SIGN_IN_FIELDS.has(signIn.name.value)) continue;
            const logs = subfields(signIn, 'user').flatMap((user) => subfields(user, 'logs'))[0];
            if (!logs) continue;
            throw codedError(
              ErrorCode.BadUserInput,
              `user { logs } cannot be read in the request that signs in (${signIn.name.value}): ` +
                'the logs need the token it returns. Ask for them with that token in the next request.',
              { http: { status: 400 } },
              { nodes: logs },
            );
          }
        },
      };
    },
  };
}
