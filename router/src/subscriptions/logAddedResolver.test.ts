/**
 * The `user` of a logAdded event is fetched once per event and selection and shared by the
 * subscribers that asked for it. Run here through graphql's own executor over a small schema,
 * with a gateway executor that answers when told and honours its context's signal as Apollo's
 * does (a cancelled request answers CANCELLED).
 */
import { Counter, Registry } from '@microservice-math/shared/metrics';
import type { EventBus } from '@microservice-math/shared/events';
import type { LogAddedEvent } from '@microservice-math/shared/logAddedEvent';
import { buildSchema, execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { RouterContext } from '../context.js';
import { createLogAddedResolver, type GatewayExecutor } from './logAddedResolver.js';

const schema = buildSchema(`
  type Query { ok: Boolean }
  type User { username: String! }
  type RequestLog { id: ID! user: User! }
  type Subscription { logAdded: RequestLog! }
`);
const SUBSCRIPTION = 'subscription { logAdded { id user { username } } }';
const event = { id: '01900000-0000-7000-8000-000000000001' } as LogAddedEvent;

function gateway() {
  const answers: Array<(answer: Awaited<ReturnType<GatewayExecutor>>) => void> = [];
  const executor: GatewayExecutor = (_document, _variables, context) =>
    new Promise((resolve) => {
      answers.push(resolve);
      context.signal?.addEventListener('abort', () =>
        resolve({
          errors: [
            Object.assign(new Error('The request was cancelled'), {
              extensions: { code: 'CANCELLED' },
            }) as never,
          ],
        }),
      );
    });
  return { executor, answers };
}

function resolverWith(executor: GatewayExecutor) {
  return createLogAddedResolver(
    {} as EventBus,
    executor,
    new Counter({ name: 'resolutions', help: 'h', registers: [new Registry()] }),
  );
}

function subscriber(signal?: AbortSignal): RouterContext {
  return {
    caller: { id: 'u1', username: 'ada' },
    clientAddress: '127.0.0.1',
    requestId: 'r',
    ...(signal ? { signal } : {}),
  } as RouterContext;
}

function deliver(resolver: ReturnType<typeof resolverWith>, context: RouterContext) {
  return execute({
    schema,
    document: parse(SUBSCRIPTION),
    rootValue: event,
    contextValue: context,
    fieldResolver: resolver.fieldResolver,
  });
}

describe('the shared user fetch of a logAdded event', () => {
  it('is not cancelled for the others when the subscriber that started it goes away', async () => {
    const { executor, answers } = gateway();
    const resolver = resolverWith(executor);
    const leaving = new AbortController();
    const first = deliver(resolver, subscriber(leaving.signal));
    // The same user resumed on a new connection: same caller, same selection, same event.
    const second = deliver(resolver, subscriber(new AbortController().signal));
    expect(answers).toHaveLength(1); // one fetch, shared
    leaving.abort();
    answers[0]?.({ data: { me: { username: 'ada' } } });
    expect(await second).toEqual({
      data: { logAdded: { id: event.id, user: { username: 'ada' } } },
    });
    await first;
  });

  it('is fetched again after one failed, not the failure served to later subscribers', async () => {
    const { executor, answers } = gateway();
    const resolver = resolverWith(executor);
    const failed = deliver(resolver, subscriber());
    answers[0]?.({
      errors: [
        Object.assign(new Error('No auth instance could take the request'), {
          extensions: { code: 'SERVICE_UNAVAILABLE' },
        }) as never,
      ],
    });
    expect((await failed).errors?.[0]?.extensions?.['code']).toBe('SERVICE_UNAVAILABLE');

    const later = deliver(resolver, subscriber());
    expect(answers).toHaveLength(2);
    answers[1]?.({ data: { me: { username: 'ada' } } });
    expect(await later).toEqual({
      data: { logAdded: { id: event.id, user: { username: 'ada' } } },
    });
  });
});
