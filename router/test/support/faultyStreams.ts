/**
 * The router's own streamingOperations.ts over a schema of one subscription whose resolvers fail
 * on request, for the tests of how a fault of ours in a subscription reaches a client over
 * graphql-ws (subscriptionServer.test.ts) and over SSE (sseFaults.test.ts). `logAdded(fail:)`:
 * - `"start"`: the subscribe resolver fails, as openLogFeed's Redis SUBSCRIBE would;
 * - `"refuse"`: it refuses, as a refusal of ours meant for the client (UNAUTHENTICATED);
 * - `"stream"`: one event, then the stream fails, as a catch-up's database read would;
 * - `"end"`: one event, then its end fails, as a Redis UNSUBSCRIBE would;
 * - none: one event, then it waits until ended.
 * An event's `owner` fails as the owner fetch through the gateway would.
 * With them, what the graphql-ws and the SSE server under test are given alike (faultyServerOptions)
 * and the masked error a client is told of a fault (masked).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, unauthenticated } from '@microservice-math/shared/errors';
import type { Logger } from '@microservice-math/shared/logger';
import type { Caller } from '@microservice-math/shared/routerContext';
import { buildSchema, parse, type GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { Registry } from 'prom-client';
import { demandControl } from '../../src/gateway/demandControl.js';
import { createRouterMetrics } from '../../src/metrics/routerMetrics.js';
import { createSecurityLog } from '../../src/securityLog.js';
import { liveDemandBudget } from '../../src/subscriptions/liveDemand.js';
import type { SseServerOptions } from '../../src/subscriptions/sseServer.js';
import {
  streamingOperations,
  type StreamingOperations,
  type StreamingOperationsOptions,
} from '../../src/subscriptions/streamingOperations.js';
import {
  createSubscriptionServer,
  type SubscriptionServerOptions,
} from '../../src/subscriptions/subscriptionServer.js';

/** The raw words of each fault, which must never reach a client. */
export const FAULT = {
  redis: 'connect ECONNREFUSED 10.0.0.5:6379',
  gateway: 'connect ECONNREFUSED 10.0.0.7:4001',
  database: 'read ECONNRESET 10.0.0.9:5432',
  unsubscribe: 'UNSUBSCRIBE failed: Connection is closed.',
} as const;

const schema = buildSchema(`
  type Query { unused: Int }
  type Owner { name: String }
  type Log { id: ID! owner: Owner }
  type Subscription { logAdded(fail: String): Log! }
`);

/** Unsigned, with an expiry a day away: only its claims are read (the tests verify tokens). */
const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
export const unsignedToken = `${encode({ alg: 'none' })}.${encode({ sub: 'u1', exp: Math.floor(Date.now() / 1000) + 86_400 })}.x`;

/** One event, then as `fail` says (see the module's comment). */
function feed(fail: string | undefined): AsyncIterableIterator<object> {
  let sent = false;
  let ended: ((result: IteratorResult<object>) => void) | undefined;
  const iterator: AsyncIterableIterator<object> = {
    next: () => {
      if (!sent) {
        sent = true;
        return Promise.resolve({ value: { id: 'L1' }, done: false });
      }
      if (fail === 'stream') return Promise.reject(new Error(FAULT.database));
      return new Promise((resolve) => (ended = resolve));
    },
    return: () => {
      ended?.({ value: undefined, done: true });
      if (fail === 'end') return Promise.reject(new Error(FAULT.unsubscribe));
      return Promise.resolve({ value: undefined, done: true });
    },
    throw: (error: unknown) => {
      ended?.({ value: undefined, done: true });
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

/** The operations, their security log writing to `logger`. */
export function faultyOperations(logger: Logger): StreamingOperations {
  return streamingOperations({
    schema: () => schema,
    parse: (source: string) => parse(source),
    validationRules: [],
    validationError: (error: GraphQLError) => error,
    demand: demandControl(1_000, () => ({ weights: new Map(), listSizes: new Map() })),
    liveDemand: liveDemandBudget(1_000),
    hideSuggestions: false,
    rateLimit: { consume: async () => ({ allowed: true }) },
    securityLog: createSecurityLog(logger),
    executeThroughGateway: () => Promise.reject(new Error('not used')),
    resolver: {
      subscribeFieldResolver: async (_source: unknown, args: { fail?: string }) => {
        if (args.fail === 'start') throw new Error(FAULT.redis);
        if (args.fail === 'refuse') throw unauthenticated('Sign in to subscribe');
        return feed(args.fail);
      },
      fieldResolver: (
        parent: unknown,
        _args: unknown,
        _context: unknown,
        info: GraphQLResolveInfo,
      ) => {
        if (info.parentType.name === 'Subscription') return parent;
        if (info.fieldName === 'owner') return Promise.reject(new Error(FAULT.gateway));
        return (parent as Record<string, unknown>)[info.fieldName];
      },
    },
  } as unknown as StreamingOperationsOptions);
}

/** The options the graphql-ws and the SSE server both take. */
type SharedServerOptions = Pick<
  SseServerOptions,
  keyof SseServerOptions & keyof SubscriptionServerOptions
>;

/**
 * Those options as both tests give them: faultyOperations, every token verified as ada's (u1),
 * every client at 127.0.0.1, no revocations, and the logs and security log writing to `logger`.
 */
export function faultyServerOptions(logger: Logger): SharedServerOptions {
  return {
    operations: faultyOperations(logger),
    verifyToken: async () => ({ id: 'u1', username: 'ada' }) as Caller,
    metrics: createRouterMetrics(new Registry()),
    logger,
    clientAddressOf: () => '127.0.0.1',
    securityLog: createSecurityLog(logger),
    onTokenRevoked: () => () => {},
    shutdownAnswerMs: 1_000,
  };
}

/** The masked error a client is told of a fault of ours at `path`, with its request id. */
export const masked = (requestId: unknown, path: string[]) => ({
  message: `Internal server error (request id ${String(requestId)})`,
  path,
  extensions: { code: ErrorCode.Internal, requestId },
});

/** The router's graphql-ws server on a port of its own, as both graphql-ws tests run it. */
export interface ListeningSubscriptionServer {
  /** `ws://…/graphql`. */
  url: string;
  close(): Promise<void>;
}

/**
 * A real graphql-ws server (subscriptionServer.ts) over `faultyServerOptions` on a free port, with
 * these socket limits; `overrides` replace any other option (e.g. how addresses are read).
 */
export async function listeningSubscriptionServer(
  logger: Logger,
  limits: SubscriptionServerOptions['limits'],
  overrides: Partial<SubscriptionServerOptions> = {},
): Promise<ListeningSubscriptionServer> {
  const server = createServer();
  const subscriptions = createSubscriptionServer({
    server,
    path: '/graphql',
    maxPayload: 64 * 1024,
    limits,
    ...faultyServerOptions(logger),
    ...overrides,
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    async close() {
      await subscriptions.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
