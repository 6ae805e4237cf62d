/**
 * The gateway run in process (Apollo Server's executeOperation), for operations that do not come
 * over HTTP: queries and mutations over graphql-ws and graphql-sse, and the live feed's lookups.
 */
import type { ApolloServer } from '@apollo/server';
import { maskedInternalError } from '@microservice-math/shared/errors';
import type { ServiceHost } from '@microservice-math/shared/serviceHost';
import type { RouterContext } from '../context.js';
import type { GatewayExecutor } from './logAddedResolver.js';

export function gatewayExecutor(
  apollo: ApolloServer<RouterContext>,
  host: Pick<ServiceHost, 'inProcess'>,
): GatewayExecutor {
  return async (query, variables, contextValue, operationName) => {
    const request = host.inProcess(contextValue);
    let response: Awaited<ReturnType<typeof apollo.executeOperation>>;
    try {
      response = await apollo.executeOperation(
        { query, variables, ...(operationName ? { operationName } : {}) },
        { contextValue: request.contextValue },
      );
    } catch (error) {
      // A throw out of Apollo's pipeline, which the host's plugin has logged with the request id
      // (ServiceHost.inProcess): answered as the operation's error, not logged again. Anything
      // else is passed on, to be logged and answered by the caller (streamingOperations.ts).
      if (!request.pipelineFailed()) throw error;
      return { errors: [maskedInternalError(contextValue.requestId)] };
    }
    if (response.body.kind !== 'single')
      throw new Error('incremental delivery is not supported here');
    return response.body.singleResult as Awaited<ReturnType<GatewayExecutor>>;
  };
}
