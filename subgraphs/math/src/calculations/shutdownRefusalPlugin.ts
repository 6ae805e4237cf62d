/**
 * Marks an answer in which a calculation was refused because this instance is shutting down
 * (SERVICE_UNAVAILABLE "shutting down; send the calculation again") with SHUTDOWN_REFUSAL_HEADER,
 * so that the router sends the request once more to another instance instead of passing the
 * refusal on (router/src/gateway/subgraphInstances.ts), reading the header, not the body.
 *
 * Sending the whole request again is harmless, whatever else it asked: math answers queries
 * only; every calculation's log row is keyed by the router's request id (or the client's
 * idempotency key) and its response key, which the router keeps for the second attempt, so a
 * field the first attempt answered is logged once (the stored `ok` row stands and is what the
 * second attempt answers with), and a refused one's row is replaced by the second attempt's
 * answer (logWriter.ts); its result is usually in the shared cache by then.
 */
import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import { SHUTDOWN_REFUSAL_HEADER } from '@microservice-math/shared/routerContext';
import { isShutdownRefusal } from './calculator.js';

export function shutdownRefusalPlugin<C extends BaseContext>(): ApolloServerPlugin<C> {
  // One set of hooks for every request: nothing is kept per request.
  const hooks: GraphQLRequestListener<C> = {
    async didEncounterErrors({ errors, response }) {
      // A resolver's error reaches here located (graphql-js wraps it, keeping it as originalError).
      if (errors.some((error) => isShutdownRefusal(error.originalError ?? error)))
        response.http.headers.set(SHUTDOWN_REFUSAL_HEADER, '1');
    },
  };
  return {
    async requestDidStart() {
      return hooks;
    },
  };
}
