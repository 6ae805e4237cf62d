/**
 * After a batch of request logs commits, each answered calculation's log is published on
 * LOG_ADDED.<userId>, carrying the whole row, so a subscriber needs no extra read. The test
 * subscribes to the event bus itself, in-process and through Redis.
 */
import { createEventBus, type EventBus } from '@microservice-math/shared/events';
import { logAddedTopic } from '@microservice-math/shared/logAddedEvent';
import type { Orm } from '@microservice-math/shared/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../tests/support/waitFor.js';
import { RequestLogSchema, toRecord, type RequestLogRecord } from '../src/logs/RequestLog.js';
import {
  newCaller,
  openLogReader,
  redisUrl,
  silentLogger,
  startMath,
  type RunningMath,
} from './mathService.js';

interface Received {
  payload: RequestLogRecord;
  /** The row as a separate connection saw it when the event arrived. */
  committed: RequestLogRecord | undefined;
}

describe.each([
  { bus: 'in-process', url: undefined, skip: false },
  { bus: 'Redis', url: redisUrl, skip: !redisUrl },
])('log events on the $bus bus', ({ url, skip }) => {
  let events: EventBus;
  let math: RunningMath;
  let reader: Orm;

  beforeAll(async () => {
    if (skip) return;
    events = createEventBus(url, silentLogger());
    math = await startMath({ events });
    reader = await openLogReader(math.databaseUrl, silentLogger());
  });
  afterAll(async () => {
    await math?.stop();
    await reader?.close();
    await events?.close();
  });

  /** Collects the caller's events, looking each row up as it arrives. */
  async function subscribe(userId: string) {
    const received: Received[] = [];
    const lookups: Promise<void>[] = [];
    const onLog = (log: RequestLogRecord) => {
      lookups.push(
        reader.em
          .fork()
          .findOne(RequestLogSchema, { id: log.id })
          .then((row) => {
            received.push({ payload: log, committed: row ? toRecord(row) : undefined });
          }),
      );
    };
    const subscription = await events.pubsub.subscribe(logAddedTopic(userId), onLog, {});
    return {
      received,
      /** Waits for `count` events and their lookups. */
      async settle(count: number): Promise<Received[]> {
        await waitFor(() => expect(lookups.length).toBeGreaterThanOrEqual(count));
        await Promise.all(lookups);
        events.pubsub.unsubscribe(subscription);
        return received;
      },
    };
  }

  it.skipIf(skip)(
    'publishes each answered log after its commit, carrying the whole row',
    async () => {
      const caller = newCaller('events');
      const feed = await subscribe(caller.id);
      const { body } = await math.call(
        '{ factorial(n: 25) { log { id operation input resultPreview digits cached durationMs createdAt } } }',
        {},
        caller,
      );
      const [event] = await feed.settle(1);

      expect(event?.committed).toBeDefined(); // the row was there when the event arrived
      expect(event?.payload).toEqual(event?.committed); // every column, nothing to read back
      expect(event?.payload).toMatchObject({
        userId: caller.id,
        username: caller.username,
        operation: 'FACTORIAL',
        input: '{"n":25}',
        resultPreview: '15511210043330985984000000',
        digits: 26,
        cached: false,
        status: 'ok',
      });
      expect(body.data?.['factorial'].log).toMatchObject({
        id: event?.payload.id,
        createdAt: event?.payload.createdAt,
      });
    },
  );

  it.skipIf(skip)(
    'publishes every log of a burst once, refused requests with their code',
    async () => {
      const caller = newCaller('burst');
      const feed = await subscribe(caller.id);
      await math.call('{ factorial(n: -1) { digits } }', {}, caller); // refused: logged and published
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          math.call(`{ fibonacci(n: ${i}) { log { id } } }`, {}, caller),
        ),
      );
      const received = await feed.settle(51);

      const answeredIds = answers.map(({ body }) => body.data?.['fibonacci'].log.id as string);
      const refused = received.filter((r) => r.payload.status !== 'ok');
      expect(refused.map((r) => [r.payload.operation, r.payload.status])).toEqual([
        ['FACTORIAL', 'BAD_USER_INPUT'],
      ]);
      const answered = received.filter((r) => r.payload.status === 'ok');
      expect(answered.map((r) => r.payload.id).sort()).toEqual([...answeredIds].sort());
      expect(received.every((r) => r.committed !== undefined)).toBe(true);
      const rows = await math.logRows({ userId: caller.id });
      expect(rows).toHaveLength(51);
    },
  );
});
