/**
 * `register` and `login` answer a non-null `AuthPayload`: an error anywhere in the operation that
 * reaches it nulls the whole answer, after the account was made or the password checked, and the
 * token is lost. Two ways to get there are refused as a whole before anything runs, naming the
 * field:
 * - `user { logs }` under a sign-in: the logs come from math, which answers only a signed-in
 *   caller, and the request that signs in has none yet. `renewToken` has its caller, so it may
 *   ask for them.
 * - Any other field beside a sign-in (`a: register(…) b: register(…)`, `login logout`): one
 *   refused field nulls the answer of all of them. A sign-in is sent alone.
 *
 * Checked by Apollo Server's pipeline over HTTP (400), and with an operation's other checks
 * before it runs over graphql-ws (an `error` message) and SSE (400): one refusal, in one shape.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { codedError, ErrorCode, RequestErrorCode } from '@microservice-math/shared/errors';
import { coercedVariables, fragmentsOf, selectedFields } from '@microservice-math/shared/selection';
import {
  GraphQLError,
  type DocumentNode,
  type FieldNode,
  type OperationDefinitionNode,
} from 'graphql';

const SIGN_IN_FIELDS = new Set(['register', 'login']);

const responseKey = (field: FieldNode) => field.alias?.value ?? field.name.value;

/**
 * The refusal of a mutation whose sign-in's answer could be nulled (see the module's comment);
 * undefined for any other operation. `variables` are the operation's, coerced.
 */
export function signInRefusal(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): GraphQLError | undefined {
  if (operation.operation !== 'mutation') return undefined;
  // As execution will run them: through fragments, without those @skip/@include drop.
  const scope = { fragments: fragmentsOf(document), variableValues: variables };
  const subfields = (field: FieldNode, name: string) =>
    field.selectionSet
      ? selectedFields(field.selectionSet, scope).filter((f) => f.name.value === name)
      : [];
  // `__typename` cannot fail: it may stay beside a sign-in.
  const rootFields = selectedFields(operation.selectionSet, scope).filter(
    (field) => !field.name.value.startsWith('__'),
  );
  for (const signIn of rootFields) {
    if (!SIGN_IN_FIELDS.has(signIn.name.value)) continue;
    const name = signIn.name.value;
    // By response key: fields under one key (`login` written twice, through a fragment) are
    // merged into one call, and one answer.
    const other = rootFields.find((field) => responseKey(field) !== responseKey(signIn));
    if (other)
      return codedError(
        RequestErrorCode.ValidationFailed,
        `${name} must be the only field of its mutation: an error in ${responseKey(other)} ` +
          `would null the whole answer and lose the token ${name} returns. Send it in a request of its own.`,
        {},
        { nodes: [signIn, other] },
      );
    const logs = subfields(signIn, 'user').flatMap((user) => subfields(user, 'logs'))[0];
    if (!logs) continue;
    return codedError(
      ErrorCode.BadUserInput,
      `user { logs } cannot be read in the request that signs in (${name}): ` +
        'the logs need the token it returns. Ask for them with that token in the next request.',
      {},
      { nodes: logs },
    );
  }
  return undefined;
}

export function protectSignInAnswers<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          if (operation?.operation !== 'mutation') return;
          const variables = coercedVariables({ request, schema, operation });
          if (!variables) return; // execution reports them, before any field runs
          const refused = signInRefusal(document, operation, variables);
          if (!refused) return;
          // Apollo Server answers a request error with the status it carries, and removes it.
          throw new GraphQLError(refused.message, {
            nodes: refused.nodes,
            extensions: { ...refused.extensions, http: { status: 400 } },
          });
        },
      };
    },
  };
}
