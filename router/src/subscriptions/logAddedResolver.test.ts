/**
 * The `user` of a logAdded event: its `id`, `username` and `__typename` are answered from the
 * subscriber's token, with no fetch; any other field of it is fetched once per event and
 * selection and shared by the subscribers that asked for it. Run here through graphql's own
 * executor over a small schema, with a gateway executor that answers when told and honours its
 * context's signal as Apollo's does (a cancelled request answers CANCELLED).
 */
import { Counter, Registry } from '@microservice-math/shared/metrics';
import type { EventBus } from '@microservice-math/shared/events';
import type { LogAddedEvent } from '@microservice-math/shared/logAddedEvent';
import { buildSchema, execute, getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { RouterContext } from '../context.js';
import {
  createLogAddedResolver,
  ownerFetchesPerEvent,
  type GatewayExecutor,
} from './logAddedResolver.js';

const schema = buildSchema(`
  type Query { ok: Boolean }
  type User { id: ID! username: String! createdAt: String! }
  type RequestLog { id: ID! operation: String user: User! }
  type Subscription { logAdded: RequestLog! }
`);
/** Selects a field of the user the token does not say: fetched. */
const SUBSCRIPTION = 'subscription { logAdded { id user { username createdAt } } }';
const ADA = { id: 'u1', username: 'ada' };
const ADA_FETCHED = { username: 'ada', createdAt: '2026-12-01T00:00:00.000Z' };
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

function deliver(
  resolver: ReturnType<typeof resolverWith>,
  context: RouterContext,
  subscription = SUBSCRIPTION,
  variableValues: Record<string, unknown> = {},
) {
  return execute({
    schema,
    document: parse(subscription),
    rootValue: event,
    contextValue: context,
    variableValues,
    fieldResolver: resolver.fieldResolver,
  });
}

describe('the shared user fetch of a logAdded event', () => {
  // Found in the last session's notes: the fetch ran with its first subscriber's context, so the
  // gateway's masked fault carried that subscriber's request id, and every subscriber sharing
  // the fetch was answered with it, its own request id in no log line.
  it('failing with a fault of ours, fails for each subscriber with its own request id, logged with it', async () => {
    const { executor, answers } = gateway();
    const resolver = resolverWith(executor);
    const logged: Array<{ requestId: string; fields: Record<string, unknown> }> = [];
    const withRequestId = (requestId: string) =>
      ({
        ...subscriber(),
        requestId,
        logger: {
          error: (fields: Record<string, unknown>) => logged.push({ requestId, fields }),
        },
      }) as unknown as RouterContext;
    // Two subscriptions of one user (another tab, say), each its own operation and request id.
    const first = deliver(resolver, withRequestId('req-1'));
    const second = deliver(resolver, withRequestId('req-2'));
    expect(answers).toHaveLength(1); // still one fetch, shared
    // The gateway's answer in production: masked, with the fetch's request id, logged there.
    answers[0]?.({
      errors: [
        {
          message: 'Internal server error (request id req-1)',
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-1' },
        } as never,
      ],
    });
    const internal = (requestId: string) => ({
      message: `Internal server error (request id ${requestId})`,
      path: ['logAdded', 'user'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
    });
    const answered = async (result: ReturnType<typeof deliver>) =>
      (await result).errors?.map(({ message, path, extensions }) => ({
        message,
        path,
        extensions,
      }));
    expect(await answered(first)).toEqual([internal('req-1')]);
    expect(await answered(second)).toEqual([internal('req-2')]);
    // The first's fault was logged by the gateway with req-1; the second's is logged with req-2,
    // pointing at the fetch's line.
    expect(logged).toEqual([
      {
        requestId: 'req-2',
        fields: expect.objectContaining({
          err: expect.objectContaining({ message: 'Internal server error (request id req-1)' }),
        }),
      },
    ]);
  });

  it('is not cancelled for the others when the subscriber that started it goes away', async () => {
    const { executor, answers } = gateway();
    const resolver = resolverWith(executor);
    const leaving = new AbortController();
    const first = deliver(resolver, subscriber(leaving.signal));
    // The same user resumed on a new connection: same caller, same selection, same event.
    const second = deliver(resolver, subscriber(new AbortController().signal));
    expect(answers).toHaveLength(1); // one fetch, shared
    leaving.abort();
    answers[0]?.({ data: { me: ADA_FETCHED } });
    expect(await second).toEqual({ data: { logAdded: { id: event.id, user: ADA_FETCHED } } });
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
    answers[1]?.({ data: { me: ADA_FETCHED } });
    expect(await later).toEqual({ data: { logAdded: { id: event.id, user: ADA_FETCHED } } });
  });
});

/** A gateway that runs each `me` document against auth's answer for the subscriber, as Apollo does. */
function answeringGateway() {
  const documents: string[] = [];
  const auth = buildSchema(`
    type Query { me: User }
    type User { id: ID! username: String! createdAt: String! }
  `);
  const me = { id: 'u1', username: 'ada', createdAt: '2026-12-01T00:00:00.000Z' };
  const executor: GatewayExecutor = async (document, variables) => {
    documents.push(document);
    const result = await execute({
      schema: auth,
      document: parse(document),
      rootValue: { me },
      variableValues: variables,
    });
    return result as Awaited<ReturnType<GatewayExecutor>>;
  };
  return { executor, documents };
}

/** One event for each call, so that no fetch is shared between them. */
let events = 0;
function deliverNew(
  resolver: ReturnType<typeof resolverWith>,
  subscription: string,
  variableValues: Record<string, unknown> = {},
  caller = ADA,
) {
  events += 1;
  return execute({
    schema,
    document: parse(subscription),
    rootValue: { ...event, id: `event-${events}`, operation: 'FACTORIAL' },
    contextValue: { ...subscriber(), caller },
    variableValues,
    fieldResolver: resolver.fieldResolver,
  });
}

describe('the user of a logAdded event, answered from the token where it can be', () => {
  it('id, username and __typename alone: the token`s, letter case as signed, and no fetch', async () => {
    const { executor, documents } = answeringGateway();
    const resolver = resolverWith(executor);
    const caller = { id: 'u-9', username: 'Grace.Hopper' };
    for (let i = 0; i < 3; i++) {
      const result = await deliverNew(
        resolver,
        'subscription { logAdded { id user { id username __typename } } }',
        {},
        caller,
      );
      expect(result).toEqual({
        data: {
          logAdded: {
            id: `event-${events}`,
            user: { id: 'u-9', username: 'Grace.Hopper', __typename: 'User' },
          },
        },
      });
    }
    expect(documents).toEqual([]);
    expect(resolver.gatewayResolutions).toBe(0);
  });

  it('any other field of the user: fetched once per event, with the whole selection', async () => {
    const { executor, documents } = answeringGateway();
    const resolver = resolverWith(executor);
    for (let i = 0; i < 2; i++) {
      expect(
        await deliverNew(resolver, 'subscription { logAdded { user { id createdAt } } }'),
      ).toEqual({
        data: { logAdded: { user: { id: 'u1', createdAt: '2026-12-01T00:00:00.000Z' } } },
      });
    }
    expect(resolver.gatewayResolutions).toBe(2);
    expect(documents[0]).toContain('createdAt');
  });

  it('subscribers of one parsed document each get the plan of their own variables', async () => {
    // Subscribers of one text share its parsed document (streamingOperations.ts): a plan kept
    // by the parsed field alone would give the second subscriber the first one's.
    const { executor, documents } = answeringGateway();
    const resolver = resolverWith(executor);
    const document = parse(
      'subscription ($all: Boolean!) { logAdded { user { username createdAt @include(if: $all) } } }',
    );
    const deliverWith = (all: boolean) =>
      execute({
        schema,
        document,
        rootValue: { ...event, id: `event-shared-${all}` },
        contextValue: subscriber(),
        variableValues: { all },
        fieldResolver: resolver.fieldResolver,
      });
    expect(await deliverWith(false)).toEqual({ data: { logAdded: { user: { username: 'ada' } } } });
    expect(documents).toHaveLength(0);
    expect(await deliverWith(true)).toEqual({
      data: { logAdded: { user: { username: 'ada', createdAt: '2026-12-01T00:00:00.000Z' } } },
    });
    expect(documents).toHaveLength(1);
  });

  const CREATED = '2026-12-01T00:00:00.000Z';
  // Each: the subscription, its variables, what it delivers, how many fetches one event makes.
  const cases: Array<[string, string, Record<string, unknown>, unknown, number]> = [
    [
      'aliases and __typename',
      '{ logAdded { owner: user { who: username uid: id t: __typename } u: user { __typename } } }',
      {},
      { owner: { who: 'ada', uid: 'u1', t: 'User' }, u: { __typename: 'User' } },
      0,
    ],
    [
      'a username aliased as createdAt is still the username',
      '{ logAdded { user { createdAt: username id: username } } }',
      {},
      { user: { createdAt: 'ada', id: 'ada' } },
      0,
    ],
    [
      'fragments and inline fragments of known fields',
      '{ logAdded { user { ...Name ... on User { id } ... { __typename } } } } fragment Name on User { username }',
      {},
      { user: { username: 'ada', id: 'u1', __typename: 'User' } },
      0,
    ],
    [
      'a fragment with another field',
      '{ logAdded { user { id ...Rest } } } fragment Rest on User { createdAt }',
      {},
      { user: { id: 'u1', createdAt: CREATED } },
      1,
    ],
    [
      'an alias named like a known field, of another field',
      '{ logAdded { user { username: createdAt } } }',
      {},
      { user: { username: CREATED } },
      1,
    ],
    [
      'one response name merged from the log`s fragments: one fetch for all of it',
      '{ logAdded { user { id } ... on RequestLog { user { createdAt } } ...L } } fragment L on RequestLog { user { username } }',
      {},
      { user: { id: 'u1', createdAt: CREATED, username: 'ada' } },
      1,
    ],
    [
      'two response names: only the one that needs it fetches',
      '{ logAdded { a: user { id username } b: user { createdAt } } }',
      {},
      { a: { id: 'u1', username: 'ada' }, b: { createdAt: CREATED } },
      1,
    ],
    [
      '@include(if: false) leaves the other field out',
      '($full: Boolean!) { logAdded { user { username createdAt @include(if: $full) } } }',
      { full: false },
      { user: { username: 'ada' } },
      0,
    ],
    [
      '@include(if: true) keeps it in',
      '($full: Boolean!) { logAdded { user { username createdAt @include(if: $full) } } }',
      { full: true },
      { user: { username: 'ada', createdAt: CREATED } },
      1,
    ],
    [
      '@skip on a merged user field and on a fragment spread',
      '($s: Boolean!) { logAdded { user { id } user @skip(if: $s) { createdAt } } ...L @skip(if: $s) } fragment L on RequestLog { user { createdAt } }',
      { s: true },
      { user: { id: 'u1' } },
      0,
    ],
    [
      'the same, not skipped',
      '($s: Boolean!) { logAdded { user { id } user @skip(if: $s) { createdAt } } ...L @skip(if: $s) } fragment L on RequestLog { user { createdAt } }',
      { s: false },
      { user: { id: 'u1', createdAt: CREATED } },
      1,
    ],
    [
      'a variable`s default decides @skip',
      '($s: Boolean = true) { logAdded { user { id createdAt @skip(if: $s) } } }',
      {},
      { user: { id: 'u1' } },
      0,
    ],
    [
      'a skipped user with another field, beside one answered from the token',
      '{ logAdded { user { username } other: user @skip(if: true) { createdAt } } }',
      {},
      { user: { username: 'ada' } },
      0,
    ],
  ];

  it.each(cases)(
    '%s: delivers what the gateway would, with as many fetches as the budget counts',
    async (_, body, variables, delivered, fetches) => {
      const subscription = `subscription ${body}`;
      const { executor, documents } = answeringGateway();
      const resolver = resolverWith(executor);
      const result = await deliverNew(resolver, subscription, variables);
      expect(result).toEqual({ data: { logAdded: delivered } });
      expect(documents).toHaveLength(fetches);
      expect(resolver.gatewayResolutions).toBe(fetches);
      const document = parse(subscription);
      const operation = getOperationAST(document)!;
      expect(ownerFetchesPerEvent(schema, document, operation, variables)).toBe(fetches);
    },
  );

  it('the budget counts every field in when the variables do not coerce', () => {
    const document = parse(
      'subscription ($s: Boolean!) { logAdded { user { id createdAt @skip(if: $s) } } }',
    );
    const operation = getOperationAST(document)!;
    expect(ownerFetchesPerEvent(schema, document, operation, { s: true })).toBe(0);
    expect(ownerFetchesPerEvent(schema, document, operation, {})).toBe(1);
    expect(ownerFetchesPerEvent(schema, document, operation, { s: 'yes' })).toBe(1);
  });

  it('a fetched user`s errors are the gateway`s, as before', async () => {
    const resolver = resolverWith(async () => ({
      errors: [
        Object.assign(new Error('No auth instance could take the request'), {
          extensions: { code: 'SERVICE_UNAVAILABLE' },
        }) as never,
      ],
    }));
    const result = await deliverNew(
      resolver,
      'subscription { logAdded { id user { createdAt } } }',
    );
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions?.['code']).toBe('SERVICE_UNAVAILABLE');
    expect(result.errors?.[0]?.path).toEqual(['logAdded', 'user']);
  });
});
