/**
 * A resolver that met the database out of reach is answered SERVICE_UNAVAILABLE with a wait and
 * the request id of its warning line (the database away is not a fault of ours, so not an error
 * line), as the internal error it replaces would carry; a resolver whose other call (HTTP,
 * Redis) was refused is a fault of ours, masked, not the database.
 */
import { request } from 'node:http';
import { createServer } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ApolloServer } from '@apollo/server';
import { ServiceHost, type RequestBase } from './serviceHost.js';
import { startSubgraphServer } from './subgraphServer.js';

const lines: Array<Record<string, unknown>> = [];
const logger = pino(
  { level: 'debug' },
  { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
);
/** What auth's `me` resolver throws in each test. */
let failure: unknown;
let apollo: ApolloServer<RequestBase>;

beforeAll(async () => {
  const host = new ServiceHost({ name: 'auth', logger, production: true });
  apollo = await startSubgraphServer<RequestBase>(host, {
    subgraph: 'auth',
    resolvers: {
      Query: {
        me: () => {
          throw failure;
        },
      },
    },
    production: true,
  });
});
afterAll(() => apollo?.stop());

async function me(requestId: string) {
  const response = await apollo.executeOperation(
    { query: '{ me { id } }' },
    { contextValue: { requestId, logger: logger.child({ requestId }) } },
  );
  if (response.body.kind !== 'single') throw new Error('not a single result');
  return response.body.singleResult.errors;
}

it('answers the database out of reach SERVICE_UNAVAILABLE with the request id of its warning line', async () => {
  failure = new Error('Connection terminated unexpectedly');
  lines.length = 0;
  expect(await me('req-db')).toEqual([
    {
      message: 'The database is not reachable; try again shortly',
      path: ['me'],
      extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 5, requestId: 'req-db' },
    },
  ]);
  // Not an error of ours: a warning, not an error line.
  expect(lines.filter((line) => (line['level'] as number) >= 40)).toEqual([
    expect.objectContaining({
      level: 40,
      requestId: 'req-db',
      reason: 'Connection terminated',
      msg: 'database out of reach; answered SERVICE_UNAVAILABLE',
    }),
  ]);
});

it('answers a refused HTTP call as a fault of ours, not as the database', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  failure = await new Promise((resolve) =>
    request(`http://127.0.0.1:${port}/`).on('error', resolve).end(),
  );
  expect(failure).toMatchObject({ code: 'ECONNREFUSED' });
  lines.length = 0;
  expect(await me('req-http')).toEqual([
    {
      message: 'Internal server error (request id req-http)',
      path: ['me'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-http' },
    },
  ]);
  expect(lines.filter((line) => (line['level'] as number) >= 40)).toEqual([
    expect.objectContaining({ level: 50, requestId: 'req-http', msg: 'unexpected error' }),
  ]);
});
