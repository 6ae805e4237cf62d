/**
 * `POST /graphql` answered without passing through Express: the same body parser
 * (`express.json`, so the same limits, charsets, encodings and errors), the same Apollo Server
 * call and the same context as `@as-integrations/express5`, written to Node's response directly.
 *
 * Express's routing, its request and response prototypes and `res.send` cost several times what
 * parsing the body does, on every operation; for a service whose work per operation is small
 * (the router; a subgraph answering a cached result or one row) that is a large share of its
 * CPU. Everything else, including every error before Apollo Server answers, stays with Express:
 * see `ServiceHost.answerFirst`.
 *
 * One difference from `res.send`: no `ETag` header, which means nothing on a POST response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { ContextFunction, FirstResponder, GraphQLMount } from './serviceHost.js';
import type { RequestHandler } from 'express';

/** A request the direct path cannot finish (a body parser error, a failure before answering). */
export type HandOver = (req: IncomingMessage, res: ServerResponse, error: unknown) => void;

/** Whether the direct path takes this request: `POST /graphql`, with or without a query string. */
export function isDirectGraphQL(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  return url === '/graphql' || url.startsWith('/graphql?');
}

function headerMap(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

export function directGraphQLHandler<C extends BaseContext>(
  apollo: ApolloServer<C>,
  parseBody: RequestHandler,
  context: ContextFunction<C>,
  handOver: HandOver,
): (req: IncomingMessage, res: ServerResponse) => void {
  async function answer(req: IncomingMessage & { body?: unknown }, res: ServerResponse) {
    const url = req.url ?? '';
    const queryStart = url.indexOf('?');
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: 'POST',
        headers: headerMap(req),
        search: queryStart === -1 ? '' : url.slice(queryStart),
        body: req.body,
      },
      context: () => context({ req, res }),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status || 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  return (req, res) => {
    // express.json reads only what an Express request has as well: headers, the stream.
    const parse = parseBody as unknown as (
      req: IncomingMessage,
      res: ServerResponse,
      next: (error?: unknown) => void,
    ) => void;
    parse(req, res, (error) => {
      if (error) return handOver(req, res, error);
      answer(req, res).catch((failure: unknown) => {
        if (res.headersSent) res.destroy(failure as Error);
        else handOver(req, res, failure);
      });
    });
  };
}

/** The direct path for a host's `/graphql` mount: `host.answerFirst(directGraphQL(apollo, mount))`. */
export function directGraphQL<C extends BaseContext>(
  apollo: ApolloServer<C>,
  mount: GraphQLMount<C>,
): FirstResponder {
  const answer = mount.asRoute(
    directGraphQLHandler(apollo, mount.parseBody, mount.context, mount.handOver),
  );
  return (req, res) => {
    if (!isDirectGraphQL(req)) return false;
    answer(req, res);
    return true;
  };
}
