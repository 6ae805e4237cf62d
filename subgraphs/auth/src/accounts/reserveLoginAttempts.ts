/**
 * Reserves a place for every `login` field of a request before any of them runs, so that 50
 * aliased `login` fields are 50 attempts against the limits: a request whose fields ask for more
 * checks than the limits have left is refused as a whole, naming each refused field, with no
 * password checked at all. Only the checks that run and fail are then counted as failures.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { rateLimited } from '@microservice-math/shared/errors';
import { coercedVariables, fragmentsOf, selectedFields } from '@microservice-math/shared/selection';
import { Kind, type FieldNode } from 'graphql';
import type { AuthContext } from '../context.js';
import { usernameKey } from './credentials.js';
import type { AttemptBatch, AttemptVerdict, LoginAttempts } from './loginAttempts.js';

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
          const variables = coercedVariables({ request, schema, operation });
          if (!variables) return null; // execution reports them
          // As execution will run them: through fragments, without those @skip/@include drop.
          const scope = { fragments: fragmentsOf(document), variableValues: variables };
          const fields = selectedFields(operation.selectionSet, scope).filter(
            (field) => field.name.value === 'login',
          );
          const { loginReservations, clientAddress, signal } = context.contextValue;
          const batch: AttemptBatch = new Map();
          const refused: Array<{
            responseKey: string;
            verdict: Extract<AttemptVerdict, { allowed: false }>;
          }> = [];
          for (const field of fields) {
            const username = usernameArgument(field, variables);
            if (username === undefined) continue;
            const responseKey = field.alias?.value ?? field.name.value;
            // Fields sharing a response key are merged into one resolver call: one attempt.
            if (loginReservations.has(responseKey)) continue;
            const verdict = await attempts.reserve(
              usernameKey(username).slice(0, 64),
              clientAddress,
              { batch, ...(signal ? { signal } : {}) },
            );
            loginReservations.set(responseKey, verdict);
            if (!verdict.allowed) refused.push({ responseKey, verdict });
          }
          if (refused.length === 0) return null;
          giveUp(loginReservations);
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
        // A mutation stops at its first failing login: the places of those that never ran
        // are given up (a failure counts only once a password was checked).
        async willSendResponse(context) {
          giveUp(context.contextValue.loginReservations);
        },
      };
    },
  };
}

function giveUp(reservations: Map<string, AttemptVerdict>): void {
  for (const verdict of reservations.values()) if (verdict.allowed) verdict.attempt.abandon();
}
