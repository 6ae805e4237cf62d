/**
 * The gateway run in process answers a throw out of Apollo's request pipeline (which the host's
 * plugin logs once, with the request id) as the operation's masked INTERNAL_SERVER_ERROR with
 * that id; anything else thrown is passed on for its caller to log, whatever its words.
 */
import { ApolloServer } from '@apollo/server';
import { ServiceHost } from '@microservice-math/shared/serviceHost';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RouterContext } from '../context.js';
import { gatewayExecutor } from './gatewayExecutor.js';

const lines: Array<Record<string, unknown>> = [];
const logger = pino(
  { level: 'debug' },
  { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
);
const host = new ServiceHost({ name: 'test', logger, production: true });
const apollo = new ApolloServer<RouterContext>({
  typeDefs: 'type Query { hello: String! }',
  resolvers: { Query: { hello: () => 'hello' } },
  ...host.apolloServerOptions<RouterContext>({
    after: [
      {
        // A plugin's bug, for operations named Failing.
        async requestDidStart({ request }) {
          return {
            async validationDidStart() {
              if (request.operationName === 'Failing') throw new TypeError('a bug in a plugin');
            },
          };
        },
      },
    ],
  }),
  stopOnTerminationSignals: false,
});
const execute = gatewayExecutor(apollo, host);

function contextFor(requestId: string): RouterContext {
  return {
    requestId,
    logger: logger.child({ requestId }),
    transport: 'websocket',
    caller: null,
    clientAddress: '127.0.0.1',
  };
}

const errorLines = () => lines.filter((line) => (line['level'] as number) >= 50);

beforeAll(() => apollo.start());
afterAll(() => apollo.stop());

it('answers an operation that runs', async () => {
  const result = await execute('query Hello { hello }', {}, contextFor('req-ok'), 'Hello');
  expect(result).toEqual({ data: { hello: 'hello' } });
});

it('answers a throw out of Apollo’s pipeline as the operation’s masked error, logged once with its request id', async () => {
  lines.length = 0;
  const result = await execute('query Failing { hello }', {}, contextFor('req-1'), 'Failing');
  expect(result.errors?.map((error) => error.toJSON())).toEqual([
    {
      message: 'Internal server error (request id req-1)',
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-1' },
    },
  ]);
  expect(result.data).toBeUndefined();
  expect(errorLines()).toEqual([
    expect.objectContaining({
      requestId: 'req-1',
      msg: 'unexpected error processing the request',
      err: expect.objectContaining({ message: 'a bug in a plugin' }),
    }),
  ]);
});

it('passes on an error that only says "Internal server error", which nothing logged, even for a context whose earlier operation failed in the pipeline', async () => {
  const context = contextFor('req-2');
  await execute('query Failing { hello }', {}, context, 'Failing');
  const saysTheSame = new Error('Internal server error');
  const throwing = gatewayExecutor(
    {
      executeOperation: () => Promise.reject(saysTheSame),
    } as unknown as ApolloServer<RouterContext>,
    host,
  );
  await expect(throwing('{ hello }', {}, context)).rejects.toBe(saysTheSame);
});
