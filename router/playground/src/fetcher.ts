/**
 * Queries and mutations go over HTTP with the headers editor's headers. Subscriptions go over
 * graphql-ws, which carries no per-request headers: the router authenticates the socket from
 * `connectionParams.authorization` when it opens. So each Authorization value gets its own
 * client, and a changed token replaces the socket instead of reusing one signed in as someone
 * else.
 */
import { createGraphiQLFetcher, type Fetcher, type FetcherOpts } from '@graphiql/toolkit';
import { createClient, type Client } from 'graphql-ws';

function authorizationOf(opts: FetcherOpts | undefined): string | undefined {
  for (const [name, value] of Object.entries(opts?.headers ?? {})) {
    if (name.toLowerCase() === 'authorization' && typeof value === 'string') return value;
  }
  return undefined;
}

export function createPlaygroundFetcher(url: string, subscriptionUrl: string): Fetcher {
  let current: { authorization: string | undefined; client: Client; fetcher: Fetcher } | undefined;

  function fetcherFor(authorization: string | undefined): Fetcher {
    if (current && current.authorization === authorization) return current.fetcher;
    void current?.client.dispose();
    const client = createClient({
      url: subscriptionUrl,
      connectionParams: authorization ? { authorization } : {},
      // A refused token closes the socket with 4401/4403; retrying would only repeat that.
      retryAttempts: 0,
    });
    current = { authorization, client, fetcher: createGraphiQLFetcher({ url, wsClient: client }) };
    return current.fetcher;
  }

  return (params, opts) => fetcherFor(authorizationOf(opts))(params, opts);
}
