/**
 * Auth, math and the router as processes over a Redis of the test's own (which the test may
 * stop, restart or freeze), with signed-up users and one user's live feed open: the set-up of
 * the Redis fault tests.
 */
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { signUp, wsClient } from '../../support/graphql.js';
import { startOwnRedis, type OwnRedis } from '../../support/redisServer.js';
import { processSet, type ProcessSet, type ServiceName } from './serviceProcesses.js';

const SERVICES: ServiceName[] = ['auth', 'math', 'router'];

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
  /** The keys of the test's Redis that match `pattern`, read on a connection of its own. */
  keys(pattern: string): Promise<string[]>;
  /**
   * Expects that no service leaked listeners or logged an error, then stops each with SIGTERM and
   * expects it to exit 0.
   */
  expectCleanStop(): Promise<void>;
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
    async keys(pattern) {
      const reader = new Redis(redis.url);
      try {
        return await reader.keys(pattern);
      } finally {
        reader.disconnect();
      }
    },
    async expectCleanStop() {
      for (const name of SERVICES) {
        expect(system.leakedListeners(name), name).toBe(false);
        expect(system.errorLines(name), name).toEqual([]);
      }
      await feed.dispose();
      const exits = await Promise.all(
        SERVICES.map(async (name) => [name, await system.stop(name)] as const),
      );
      expect(Object.fromEntries(exits)).toEqual({ auth: 0, math: 0, router: 0 });
    },
    async close() {
      redis.thaw();
      await feed.dispose();
      await system.close();
      await redis.stop();
    },
  };
}
