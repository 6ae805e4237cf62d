/**
 * The direct `POST /graphql` path must answer exactly as the Express path does: two hosts serve
 * the same Apollo Server, one with `direct: true`, and every request below gets the same status,
 * headers (less the date, the request id and Express's ETag) and body from both.
 */
import { gzipSync } from 'node:zlib';
import { ApolloServer } from '@apollo/server';
import type { ErrorRequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directGraphQL } from './directGraphQL.js';
import { createLogger } from './logger.js';
import { ServiceHost, type RequestBase } from './serviceHost.js';

interface Context extends RequestBase {
  caller: string;
}

const logger = createLogger('direct-test', { level: 'silent', pretty: false });
const hosts: Record<'express' | 'direct', { host: ServiceHost; url: string }> = {} as never;
const servers: ApolloServer<Context>[] = [];

/** Like the router's: body errors answered as GraphQL-shaped JSON. */
const errorHandler: ErrorRequestHandler = (
  error: { status?: number; type?: string },
  _req,
  res,
  next,
) => {
  if (res.headersSent) return next(error);
  res.status(error.status ?? 500).json({ errors: [{ message: error.type ?? 'failed' }] });
};

async function start(direct: boolean): Promise<{ host: ServiceHost; url: string }> {
  const host = new ServiceHost({ name: 'test', logger, production: false, bodyLimit: '1kb' });
  const apollo = new ApolloServer<Context>({
    typeDefs: 'type Query { hello(name: String): String!, caller: String!, boom: String }',
    resolvers: {
      Query: {
        hello: (_: unknown, { name }: { name?: string }) => `hello ${name ?? 'world'}`,
        caller: (_: unknown, __: unknown, { caller }: Context) => caller,
        boom: () => {
          throw new Error('boom');
        },
      },
    },
    ...host.apolloServerOptions<Context>(),
    allowBatchedHttpRequests: false,
    stopOnTerminationSignals: false,
    csrfPrevention: true,
  });
  await apollo.start();
  servers.push(apollo);
  const mount = host.mountGraphQL<Context>(apollo, (req, base) => {
    if (req.headers['x-refuse'] === 'yes') throw new Error('refused in context');
    return { ...base, caller: String(req.headers['x-caller'] ?? 'anonymous') };
  });
  if (direct) host.answerFirst(directGraphQL(apollo, mount));
  host.app.use(errorHandler);
  const port = await host.listen(0, '127.0.0.1');
  return { host, url: `http://127.0.0.1:${port}` };
}

beforeAll(async () => {
  hosts.express = await start(false);
  hosts.direct = await start(true);
});
afterAll(async () => {
  for (const { host } of Object.values(hosts)) await host.close();
  for (const apollo of servers) await apollo.stop();
});

const ignoredHeaders = new Set(['date', 'etag', 'x-request-id', 'keep-alive', 'connection']);

/** Every request names its id, so that error bodies, which carry it, compare equal. */
async function answer(url: string, path: string, init: RequestInit) {
  const sent = { 'x-request-id': 'same-request-id', ...(init.headers as object) };
  const response = await fetch(url + path, { ...init, headers: sent });
  const headers = Object.fromEntries(
    [...response.headers].filter(([name]) => !ignoredHeaders.has(name)),
  );
  return {
    status: response.status,
    headers,
    body: await response.text(),
    requestId: response.headers.get('x-request-id'),
  };
}

const json = { 'content-type': 'application/json' };
const query = (q: string, extra: object = {}) => JSON.stringify({ query: q, ...extra });

const cases: Record<string, { path?: string; init: RequestInit }> = {
  'a query': { init: { method: 'POST', headers: json, body: query('{ hello }') } },
  'variables and a context value': {
    init: {
      method: 'POST',
      headers: { ...json, 'x-caller': 'ada' },
      body: query('query ($n: String) { hello(name: $n) caller }', { variables: { n: 'x' } }),
    },
  },
  'a query string on the POST': {
    path: '/graphql?x=1',
    init: { method: 'POST', headers: json, body: query('{ hello }') },
  },
  'a resolver error': { init: { method: 'POST', headers: json, body: query('{ boom }') } },
  'a context error': {
    init: { method: 'POST', headers: { ...json, 'x-refuse': 'yes' }, body: query('{ hello }') },
  },
  'a validation error': { init: { method: 'POST', headers: json, body: query('{ nope }') } },
  'a syntax error': { init: { method: 'POST', headers: json, body: query('{ hello') } },
  'the graphql-response+json media type': {
    init: {
      method: 'POST',
      headers: { ...json, accept: 'application/graphql-response+json' },
      body: query('{ nope }'),
    },
  },
  'body that is not JSON': { init: { method: 'POST', headers: json, body: '{ hello' } },
  'a JSON body that is not an object': { init: { method: 'POST', headers: json, body: '"x"' } },
  'an empty body': { init: { method: 'POST', headers: json, body: '' } },
  'a body over the limit': {
    init: { method: 'POST', headers: json, body: query(`{ hello(name: "${'x'.repeat(2000)}") }`) },
  },
  'a batch': { init: { method: 'POST', headers: json, body: `[${query('{ hello }')}]` } },
  'a text/plain body (CSRF)': {
    init: { method: 'POST', headers: { 'content-type': 'text/plain' }, body: query('{ hello }') },
  },
  'no content type': { init: { method: 'POST', body: query('{ hello }') } },
  'a latin1 charset': {
    init: {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=latin1' },
      body: query('{ hello }'),
    },
  },
  'a gzipped body': {
    init: {
      method: 'POST',
      headers: { ...json, 'content-encoding': 'gzip' },
      body: gzipSync(query('{ hello }')),
    },
  },
  'an unknown content encoding': {
    init: {
      method: 'POST',
      headers: { ...json, 'content-encoding': 'snappy' },
      body: query('{ hello }'),
    },
  },
  'a mutation over GET (not the direct path)': {
    path: `/graphql?query=${encodeURIComponent('{ hello }')}`,
    init: { method: 'GET', headers: { 'apollo-require-preflight': 'true' } },
  },
  'POST to a path under /graphql (not the direct path)': {
    path: '/graphql/',
    init: { method: 'POST', headers: json, body: query('{ hello }') },
  },
};

describe('direct POST /graphql answers as Express does', () => {
  it.each(Object.keys(cases))('%s', async (name) => {
    const { path = '/graphql', init } = cases[name]!;
    const viaExpress = await answer(hosts.express.url, path, init);
    expect(await answer(hosts.direct.url, path, init)).toEqual(viaExpress);
  });

  it('makes a request id when the caller sends none', async () => {
    const response = await fetch(`${hosts.direct.url}/graphql`, {
      method: 'POST',
      headers: json,
      body: query('{ hello }'),
    });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
