import type { ApolloServerPlugin } from '@apollo/server';
import { codedError, RequestErrorCode } from '@microservice-math/shared/errors';

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
          const message = request.operationName
            ? `Unknown operation named "${request.operationName}"`
            : 'The document has several operations: say which to run with operationName';
          throw codedError(RequestErrorCode.OperationResolutionFailure, message, {
            http: { status: 400 },
          });
        },
      };
    },
  };
}
