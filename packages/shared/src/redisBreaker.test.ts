/**
 * A Redis that takes commands and never answers (SIGSTOP of a redis-server of the test's own):
 * after the first command times out, a `createRedis` connection stops sending commands (they
 * fail at once) until a background PING is answered, then says 'ready' and is used again; the
 * event bus holds what it could not publish and publishes it, in order, once Redis answers.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOwnRedis, type OwnRedis } from '../../../tests/support/redisServer.js';
import { waitFor } from '../../../tests/support/waitFor.js';
import { createEventBus } from './events.js';
import { createLogger } from './logger.js';
import { closeRedis, createRedis, waitForRedis } from './redis.js';

/** createRedis's command timeout. */
const COMMAND_TIMEOUT_MS = 500;
/** Long enough for a client that waits out every timeout to fail on an assertion instead. */
const TEST_TIMEOUT_MS = 30_000;
const logger = createLogger('test', { level: 'silent', pretty: false });

let redis: OwnRedis;
let inspector: Redis;

beforeAll(async () => {
  redis = await startOwnRedis();
  inspector = new Redis(redis.url);
});

afterAll(async () => {
  redis?.thaw();
  inspector?.disconnect();
  await redis?.stop();
});

/** How many times Redis has run `command` since its statistics were last reset. */
async function calls(command: string): Promise<number> {
  const info = await inspector.info('commandstats');
  return Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info)?.[1] ?? 0);
}

/** Runs `attempt` and resolves with its error message, or 'answered'. */
const outcome = (attempt: Promise<unknown>) =>
  attempt.then(
    () => 'answered',
    (error: unknown) => (error as Error).message,
  );

describe('a frozen Redis', () => {
  it(
    'is asked once: later commands, on any connection to it, fail at once until it answers a probe',
    async () => {
      const client = createRedis(redis.url, logger);
      const sibling = createRedis(redis.url, logger);
      try {
        await Promise.all([waitForRedis(client), waitForRedis(sibling)]);
        await client.set('key', 'value');
        await inspector.config('RESETSTAT');
        const readyAgain = new Set<string>();

        redis.freeze();
        try {
          expect(await outcome(client.get('key'))).toBe('Command timed out');
          client.on('ready', () => readyAgain.add('client'));
          sibling.on('ready', () => readyAgain.add('sibling'));
          const started = performance.now();
          const refused = new Set<string>();
          for (let i = 0; i < 20; i++) {
            refused.add(await outcome(client.get('key')));
            refused.add(await outcome(sibling.get('key')));
          }
          const elapsed = performance.now() - started;
          expect(refused).toEqual(new Set(['Redis not answering: command not sent']));
          expect(elapsed).toBeLessThan(COMMAND_TIMEOUT_MS);
        } finally {
          redis.thaw();
        }
        // 'ready' again once a probe is answered: what users of a connection resume on.
        await waitFor(() => expect(readyAgain).toEqual(new Set(['client', 'sibling'])));
        expect(await client.get('key')).toBe('value');
        expect(await sibling.get('key')).toBe('value');
        // The commands sent to the frozen Redis ran when it thawed: of the GETs, only the first
        // was sent, and two since.
        expect(await calls('get')).toBe(3);
      } finally {
        await Promise.all([closeRedis(client), closeRedis(sibling)]);
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'holds the events it could not publish and publishes them in order once Redis answers',
    async () => {
      const bus = createEventBus(redis.url, logger);
      // Without a breaker: it waits out the command timeout whatever the others know.
      const other = new Redis(redis.url, { commandTimeout: COMMAND_TIMEOUT_MS });
      try {
        const topic = `TEST_FREEZE.${Math.random().toString(36).slice(2)}`;
        const received: number[] = [];
        await bus.pubsub.subscribe(topic, (n: number) => received.push(n), {});
        await other.ping();
        // Until the publisher is ready, publishAll holds the event and reports it unpublished.
        await waitFor(async () => expect(await bus.publishAll([{ topic, payload: 0 }])).toBe(0));
        await waitFor(() => expect(received).toContain(0));
        received.length = 0;

        redis.freeze();
        try {
          // The first publish waits out the command timeout; it is held.
          expect(await bus.publishAll([{ topic, payload: 1 }])).toBe(1);
          const started = performance.now();
          for (let n = 2; n <= 10; n++)
            expect(await bus.publishAll([{ topic, payload: n }])).toBe(1);
          expect(performance.now() - started).toBeLessThan(COMMAND_TIMEOUT_MS);
          // Frozen for longer than a command timeout, as a real freeze: a command of another
          // connection times out.
          expect(await outcome(other.get('key'))).toBe('Command timed out');
        } finally {
          redis.thaw();
        }
        const expected = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        // What reached Redis before it froze ran when it thawed, so an event may come twice
        // (subscribers drop copies by log id); none is lost, and the first copies keep the order.
        await waitFor(() => expect([...new Set(received)]).toEqual(expected));
      } finally {
        other.disconnect();
        await bus.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'restarted while counted as away: the connection reconnects and is used again',
    async () => {
      const client = createRedis(redis.url, logger);
      try {
        await waitForRedis(client);
        redis.freeze();
        try {
          expect(await outcome(client.get('key'))).toBe('Command timed out');
        } finally {
          // Stopped (thawed first) and started again: a new connection, its handshake first.
          await redis.stop();
        }
        await redis.start();
        await waitFor(async () =>
          expect(await outcome(client.set('key', 'again'))).toBe('answered'),
        );
        expect(await client.get('key')).toBe('again');
      } finally {
        await closeRedis(client);
      }
    },
    TEST_TIMEOUT_MS,
  );
});
