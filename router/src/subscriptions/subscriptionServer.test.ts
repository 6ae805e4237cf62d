/**
 * A fault of ours in a subscription, as a graphql-ws client meets it: a real graphql-ws server
 * (the router's subscriptionServer.ts over its streamingOperations.ts) and a real client. The
 * resolvers are the test's: the subscribe resolver fails as openLogFeed's Redis SUBSCRIBE would,
 * a field's resolver as the owner fetch through the gateway would, and the feed fails to end as a
 * Redis UNSUBSCRIBE would. The client is told the masked internal error with the request id its
 * log line has; a refusal of ours reaches it as it is; and the socket stays open throughout.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, unauthenticated } from '@microservice-math/shared/errors';
import type { Caller } from '@microservice-math/shared/routerContext';
import {
  buildSchema,
  parse,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLResolveInfo,
} from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { capturedLog } from '../../test/support/capturedLog.js';
import { demandControl } from '../gateway/demandControl.js';
import { createRouterMetrics } from '../metrics/routerMetrics.js';
import { createSecurityLog } from '../securityLog.js';
import { liveDemandBudget } from './liveDemand.js';
import { streamingOperations, type StreamingOperationsOptions } from './streamingOperations.js';
import { createSubscriptionServer, type SubscriptionServer } from './subscriptionServer.js';

const schema = buildSchema(`
  type Query { unused: Int }
  type Owner { name: String }
  type Log { id: ID! owner: Owner }
  type Subscription { logAdded(fail: String): Log! }
`);
const REDIS_FAULT = 'connect ECONNREFUSED 10.0.0.5:6379';
const GATEWAY_FAULT = 'connect ECONNREFUSED 10.0.0.7:4001';
const UNSUBSCRIBE_FAULT = 'UNSUBSCRIBE failed: Connection is closed.';

/** Unsigned, with an expiry a day away: only its claims are read (the test verifies tokens). */
const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = `${encode({ alg: 'none' })}.${encode({ sub: 'u1', exp: Math.floor(Date.now() / 1000) + 86_400 })}.x`;

/** One event, then waits until ended; its end fails when `failToEnd`. */
function feed(failToEnd: boolean): AsyncIterableIterator<object> {
  let sent = false;
  let ended: ((result: IteratorResult<object>) => void) | undefined;
  const iterator: AsyncIterableIterator<object> = {
    next: () => {
      if (!sent) {
        sent = true;
        return Promise.resolve({ value: { id: 'L1' }, done: false });
      }
      return new Promise((resolve) => (ended = resolve));
    },
    return: () => {
      ended?.({ value: undefined, done: true });
      if (failToEnd) return Promise.reject(new Error(UNSUBSCRIBE_FAULT));
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

const log = capturedLog();
const operations = streamingOperations({
  schema: () => schema,
  parse: (source: string) => parse(source),
  validationRules: [],
  validationError: (error: GraphQLError) => error,
  demand: demandControl(1_000, () => ({ weights: new Map(), listSizes: new Map() })),
  liveDemand: liveDemandBudget(1_000),
  hideSuggestions: false,
  rateLimit: { consume: async () => ({ allowed: true }) },
  securityLog: createSecurityLog(log.logger),
  executeThroughGateway: () => Promise.reject(new Error('not used')),
  resolver: {
    subscribeFieldResolver: async (_source: unknown, args: { fail?: string }) => {
      if (args.fail === 'start') throw new Error(REDIS_FAULT);
      if (args.fail === 'refuse') throw unauthenticated('Sign in to subscribe');
      return feed(args.fail === 'end');
    },
    fieldResolver: (
      parent: unknown,
      _args: unknown,
      _context: unknown,
      info: GraphQLResolveInfo,
    ) => {
      if (info.parentType.name === 'Subscription') return parent;
      if (info.fieldName === 'owner') return Promise.reject(new Error(GATEWAY_FAULT));
      return (parent as Record<string, unknown>)[info.fieldName];
    },
  },
} as unknown as StreamingOperationsOptions);

let server: Server;
let subscriptions: SubscriptionServer;
let client: Client;
/** Every close of the client's socket, with its code. */
const closes: number[] = [];

beforeAll(async () => {
  server = createServer();
  subscriptions = createSubscriptionServer({
    server,
    path: '/graphql',
    maxPayload: 64 * 1024,
    limits: { connectionsPerUser: 5, operationsPerConnection: 10 },
    operations,
    verifyToken: async () => ({ id: 'u1', username: 'ada' }) as Caller,
    metrics: createRouterMetrics(new Registry()),
    logger: log.logger,
    clientAddressOf: () => '127.0.0.1',
    securityLog: createSecurityLog(log.logger),
    onTokenRevoked: () => () => {},
    shutdownAnswerMs: 1_000,
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  client = createClient({
    url: `ws://127.0.0.1:${port}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    on: { closed: (event) => closes.push((event as { code: number }).code) },
  });
});

afterAll(async () => {
  await client?.dispose();
  await subscriptions?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** The first result of `query` over the client, then the subscription is ended. */
async function firstResult(query: string): Promise<ExecutionResult> {
  const results = client.iterate({ query });
  const { value } = await results.next();
  await results.return?.();
  return value as ExecutionResult;
}

/** The error-level line logged with `requestId`, once it is there. */
const loggedFault = (requestId: unknown) =>
  log.waitFor((line) => line['level'] === 50 && line['requestId'] === requestId);

const masked = (requestId: unknown, path: string[]) => ({
  message: `Internal server error (request id ${String(requestId)})`,
  path,
  extensions: { code: ErrorCode.Internal, requestId },
});

describe('a fault of ours in a subscription over graphql-ws', () => {
  it('that fails as it starts is told as the masked error with its request id, logged; a refusal as it is', async () => {
    const failed = await firstResult('subscription { logAdded(fail: "start") { id } }');
    const requestId = failed.errors?.[0]?.extensions?.['requestId'];
    expect(requestId).toEqual(expect.any(String));
    expect(failed).toEqual({ errors: [masked(requestId, ['logAdded'])] });
    const line = await loggedFault(requestId);
    expect(line['err']).toMatchObject({ message: REDIS_FAULT });

    const refused = await firstResult('subscription { logAdded(fail: "refuse") { id } }');
    expect(refused).toEqual({
      errors: [
        {
          message: 'Sign in to subscribe',
          locations: [{ line: 1, column: 16 }],
          path: ['logAdded'],
          extensions: { code: ErrorCode.Unauthenticated },
        },
      ],
    });
    expect(closes).toEqual([]);
  });

  it("whose event's field fails is told as the masked error at that field, with its request id, logged", async () => {
    const result = await firstResult('subscription { logAdded { id owner { name } } }');
    const requestId = result.errors?.[0]?.extensions?.['requestId'];
    expect(result).toEqual({
      data: { logAdded: { id: 'L1', owner: null } },
      errors: [masked(requestId, ['logAdded', 'owner'])],
    });
    const line = await loggedFault(requestId);
    expect(line['err']).toMatchObject({ message: GATEWAY_FAULT });
    expect(closes).toEqual([]);
  });

  it('whose feed fails to end is logged, and the socket stays open for the next', async () => {
    expect(await firstResult('subscription { logAdded(fail: "end") { id } }')).toEqual({
      data: { logAdded: { id: 'L1' } },
    });
    const line = await log.waitFor(
      (l) =>
        l['level'] === 50 &&
        (l['err'] as { message?: string } | undefined)?.message === UNSUBSCRIBE_FAULT,
    );
    expect(line['requestId']).toEqual(expect.any(String));
    // The same socket still serves.
    expect(await firstResult('subscription { logAdded { id } }')).toEqual({
      data: { logAdded: { id: 'L1' } },
    });
    expect(closes).toEqual([]);
  });
});
