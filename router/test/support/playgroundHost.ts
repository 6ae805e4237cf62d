/**
 * The playground alone on a ServiceHost with a one-field Apollo Server, as the router mounts it
 * (its assets before /graphql, its landing page as an Apollo plugin): for tests of the playground
 * without a supergraph.
 */
import { ApolloServer } from '@apollo/server';
import { createPlayground } from '@microservice-math/router/http/playground';
import type { Logger } from '@microservice-math/shared/logger';
import { ServiceHost, type RequestBase } from '@microservice-math/shared/serviceHost';

/** `bundleDir`: where the built bundle is (by default where the build writes it). */
export async function startPlaygroundHost(
  logger: Logger,
  bundleDir?: string,
): Promise<{ host: ServiceHost; origin: string }> {
  const playground = createPlayground(logger, bundleDir);
  const host = new ServiceHost({ name: 'router', logger, production: false });
  const apollo = new ApolloServer<RequestBase>({
    typeDefs: 'type Query { ok: Boolean }',
    ...host.apolloServerOptions<RequestBase>({ after: [playground.plugin] }),
  });
  await apollo.start();
  host.onClose('graphql', () => apollo.stop());
  playground.mountAssets(host.app);
  host.mountGraphQL(apollo, (_req, base) => base);
  return { host, origin: `http://127.0.0.1:${await host.listen(0)}` };
}
