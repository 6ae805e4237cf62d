/**
 * Auth, math and the router as processes over a Redis of the test's own (which the test may
 * stop, restart or freeze), with signed-up users and one user's live feed open: the set-up of
 * the Redis fault tests.
 */
import type { Client } from 'graphql-ws';
import { signUp, wsClient } from '../../support/graphql.js';
import { startOwnRedis, type OwnRedis } from '../../support/redisServer.js';
import { processSet, type ProcessSet } from './serviceProcesses.js';

export interface OwnRedisSystem {
  redis: OwnRedis;
  system: ProcessSet;
  router: string;
  /** Each user's token, by name. */
  tokens: Record<string, string>;
  /** The watcher's live feed: every logAdded input it received, in order. */
  received: string[];
  feed: Client;
  /** Whether the watcher's socket closed or its subscription failed. */
  feedClosed(): boolean;
  close(): Promise<void>;
}

export async function startOwnRedisSystem(
  users: string[],
  watcher: string,
): Promise<OwnRedisSystem> {
  const redis = await startOwnRedis();
  const system = await processSet({ redisUrl: redis.url });
  await Promise.all([system.start('auth'), system.start('math')]);
  // One user sends the load: the router's per-user request limit is not what is tested here.
  await system.start('router', { ROUTER_RATE_LIMIT_PER_MINUTE: '1000000' });
  const router = system.urls.router;
  const tokens: Record<string, string> = {};
  for (const name of [...users, watcher])
    tokens[name] = (await signUp(router, name, 'the-real-password')).token;

  const received: string[] = [];
  let closed = false;
  const feed = wsClient(router, tokens[watcher]);
  feed.on('closed', () => (closed = true));
  feed.subscribe<{ logAdded: { input: string } }>(
    { query: 'subscription { logAdded { input } }' },
    {
      next: ({ data }) => data && received.push(data.logAdded.input),
      error: () => (closed = true),
      complete: () => {},
    },
  );
  return {
    redis,
    system,
    router,
    tokens,
    received,
    feed,
    feedClosed: () => closed,
    async close() {
      redis.thaw();
      await feed.dispose();
      await system.close();
      await redis.stop();
    },
  };
}
