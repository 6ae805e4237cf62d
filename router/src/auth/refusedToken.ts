/**
 * A refused token (expired, revoked, invalid, or a malformed Authorization header) is an HTTP
 * 401 only for an operation that needs a caller. Clients attach their stored token to every
 * request, so a leftover one must not stop them from signing in: an operation that asks only
 * for what anyone may ask (`register`, `login`, `__typename`, introspection) runs as anonymous.
 *
 * Apollo Server builds the context before it parses the operation, so the context only notes
 * the refusal (http/httpContext.ts) and this plugin decides once the operation is known. The
 * list is of what works without a caller, not of what needs one: a field added later needs a
 * caller until it is listed here. `me` is not listed: it asks who the token's holder is, and
 * "Token expired; sign in again" answers that better than an anonymous `null`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { fragmentsOf } from '@microservice-math/shared/selection';
import {
  Kind,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { RouterContext } from '../context.js';

/** Root fields that need no caller, by operation type. */
const ANONYMOUS_FIELDS: Record<OperationDefinitionNode['operation'], ReadonlySet<string>> = {
  query: new Set(['__typename', '__schema', '__type']),
  mutation: new Set(['__typename', 'register', 'login']),
  subscription: new Set(),
};

/** Whether every root field `selections` asks for (fragments followed) is in `anonymous`. */
function onlyAnonymous(
  selections: SelectionSetNode,
  anonymous: ReadonlySet<string>,
  fragments: Record<string, FragmentDefinitionNode>,
  seen = new Set<string>(),
): boolean {
  return selections.selections.every((selection) => {
    switch (selection.kind) {
      case Kind.FIELD:
        return anonymous.has(selection.name.value);
      case Kind.INLINE_FRAGMENT:
        return onlyAnonymous(selection.selectionSet, anonymous, fragments, seen);
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        if (seen.has(name)) return true;
        seen.add(name);
        const fragment = fragments[name];
        return !!fragment && onlyAnonymous(fragment.selectionSet, anonymous, fragments, seen);
      }
    }
  });
}

/** Whether `operation` can run without a caller. */
export function needsNoCaller(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
): boolean {
  return onlyAnonymous(operation.selectionSet, ANONYMOUS_FIELDS[operation.operation], fragments);
}

export function refusedTokenPlugin(): ApolloServerPlugin<RouterContext> {
  return {
    async requestDidStart({ contextValue }) {
      if (!contextValue.refusedToken) return;
      const refused = contextValue.refusedToken;
      return {
        async didResolveOperation({ operation, document }) {
          // No operation to run: requireOperation answers that.
          if (!operation) return;
          if (!needsNoCaller(operation, fragmentsOf(document))) throw refused;
        },
      };
    },
  };
}
