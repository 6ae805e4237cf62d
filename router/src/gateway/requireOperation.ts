import type { ApolloServerPlugin } from '@apollo/server';
import { codedError, RequestErrorCode } from '@microservice-math/shared/errors';

/**
 * Why no operation of a document can be run: it has several and `operationName` names none, or
 * it names one the document lacks. The same words over HTTP, graphql-ws and SSE
 * (streamingOperations.ts), where `extensions` is left without HTTP's status. An operationName
 * of "" is a name too, of no operation (graphql-js picks the only one only when none is given):
 * unknown, whatever the document holds.
 */
export function operationResolutionFailure(
  operationName: string | null | undefined,
  extensions: Record<string, unknown> = {},
) {
  const message =
    operationName != null
      ? `Unknown operation named "${operationName}"`
      : 'The document has several operations: say which to run with operationName';
  return codedError(RequestErrorCode.OperationResolutionFailure, message, extensions);
}

/**
 * A document with several operations and no (or an unknown) `operationName` is the client's
 * mistake. Apollo Server leaves it to the executor, and the gateway's executor throws it as a
 * 500; answer 400 with Apollo's own code for it before planning instead.
 */
export function requireOperation<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (operation) return;
          throw operationResolutionFailure(request.operationName, { http: { status: 400 } });
        },
      };
    },
  };
}
