/**
 * Counts every `login` field of a request before any of them runs. GraphQL stops a mutation at
 * its first failing non-null field, so without this, 50 aliased `login` fields would look like
 * one attempt and leave nothing to count; with it, each field is an attempt, and a request whose
 * fields go past the limit is refused as a whole, naming each refused field, with no password
 * checked at all.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { rateLimited } from '@microservice-math/shared/errors';
import { fragmentsOf, selectedFields } from '@microservice-math/shared/selection';
import { getVariableValues, Kind, type FieldNode } from 'graphql';
import type { AuthContext } from '../context.js';
import { usernameKey } from './credentials.js';
import type { AttemptVerdict, LoginAttempts } from './loginAttempts.js';

function usernameArgument(
  field: FieldNode,
  variables: Record<string, unknown> | undefined,
): string | undefined {
  const value = field.arguments?.find((a) => a.name.value === 'username')?.value;
  if (value?.kind === Kind.STRING) return value.value;
  if (value?.kind === Kind.VARIABLE) {
    const given = variables?.[value.name.value];
    return typeof given === 'string' ? given : undefined;
  }
  return undefined;
}

export function reserveLoginAttempts(attempts: LoginAttempts): ApolloServerPlugin<AuthContext> {
  return {
    async requestDidStart() {
      return {
        async responseForOperation(context) {
          const { operation, document, request, schema } = context;
          if (operation.operation !== 'mutation') return null;
          const variables = getVariableValues(
            schema,
            operation.variableDefinitions ?? [],
            request.variables ?? {},
          );
          if (variables.errors) return null; // execution reports them
          // As execution will run them: through fragments, without those @skip/@include drop.
          const scope = { fragments: fragmentsOf(document), variableValues: variables.coerced };
          const fields = selectedFields(operation.selectionSet, scope).filter(
            (field) => field.name.value === 'login',
          );
          const refused: Array<{
            responseKey: string;
            verdict: Extract<AttemptVerdict, { allowed: false }>;
          }> = [];
          for (const field of fields) {
            const username = usernameArgument(field, variables.coerced);
            if (username === undefined) continue;
            const responseKey = field.alias?.value ?? field.name.value;
            // Fields sharing a response key are merged into one resolver call: one attempt.
            if (context.contextValue.loginReservations.has(responseKey)) continue;
            const verdict = await attempts.reserve(
              usernameKey(username).slice(0, 64),
              context.contextValue.clientAddress,
            );
            context.contextValue.loginReservations.set(responseKey, verdict);
            if (!verdict.allowed) refused.push({ responseKey, verdict });
          }
          if (refused.length === 0) return null;
          return {
            http: context.response.http,
            body: {
              kind: 'single',
              singleResult: {
                data: null,
                errors: refused.map(({ responseKey, verdict }) => ({
                  ...rateLimited(verdict.retryAfterSeconds).toJSON(),
                  path: [responseKey],
                })),
              },
            },
          };
        },
      };
    },
  };
}
