/**
 * Counts every `login` field of a request before any of them runs. GraphQL stops a mutation at
 * its first failing non-null field, so without this, 50 aliased `login` fields would look like
 * one attempt and leave nothing to count; with it, each field is an attempt, and a request whose
 * fields go past the limit is refused as a whole, naming each refused field, with no password
 * checked at all.
 */
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { rateLimited } from '@microservice-math/shared/errors';
import { Kind, type FieldNode, type SelectionSetNode } from 'graphql';
import type { AuthContext } from '../context.js';
import { usernameKey } from './credentials.js';
import type { AttemptVerdict, LoginAttempts } from './loginAttempts.js';

function rootLoginFields(
  selectionSet: SelectionSetNode,
  context: GraphQLRequestContext<AuthContext>,
  found: FieldNode[] = [],
): FieldNode[] {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD && selection.name.value === 'login') found.push(selection);
    if (selection.kind === Kind.INLINE_FRAGMENT)
      rootLoginFields(selection.selectionSet, context, found);
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = context.document?.definitions.find(
        (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
      );
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION)
        rootLoginFields(fragment.selectionSet, context, found);
    }
  }
  return found;
}

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
          if (context.operation.operation !== 'mutation') return null;
          const fields = rootLoginFields(context.operation.selectionSet, context);
          const refused: Array<{
            responseKey: string;
            verdict: Extract<AttemptVerdict, { allowed: false }>;
          }> = [];
          for (const field of fields) {
            const username = usernameArgument(field, context.request.variables);
            if (username === undefined) continue;
            const responseKey = field.alias?.value ?? field.name.value;
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
