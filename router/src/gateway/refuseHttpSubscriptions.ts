import type { ApolloServerPlugin } from '@apollo/server';
import { codedError, RequestErrorCode } from '@microservice-math/shared/errors';

/** The gateway cannot execute subscriptions; say where they are served instead of failing with 500. */
export function refuseHttpSubscriptions<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          // executeOperation calls from the WebSocket server never carry subscriptions.
          if (operation?.operation !== 'subscription' || !request.http) return;
          throw codedError(
            RequestErrorCode.BadRequest,
            'Subscriptions are served over WebSocket (graphql-ws protocol) at this same /graphql URL, ' +
              'or as server-sent events (graphql-sse protocol) at /graphql/stream',
            { http: { status: 400 } },
          );
        },
      };
    },
  };
}
