/**
 * An operation over graphql-ws or SSE is costed once, when it arrives: over the limit it is
 * refused; otherwise a query or mutation runs with its cost in its own context (Apollo's
 * demand-control plugin reads it there), and a subscription keeps the context it came with,
 * which its events' gateway fetches reuse and must not be charged its cost, and holds its demand
 * per event against its user's live budget until released.
 */
import { ErrorCode, RequestErrorCode } from '@microservice-math/shared/errors';
import {
  buildSchema,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  printSchema,
} from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import type { RouterContext } from '../context.js';
import { demandControl, type DemandDirectives } from '../gateway/demandControl.js';
import { liveDemandBudget } from './liveDemand.js';
import {
  streamingOperations,
  type CostedOperation,
  type PreparedOperation,
  type StreamingOperationsOptions,
  type StreamingRefusal,
  VALID_DOCUMENTS_KEPT,
} from './streamingOperations.js';

const schema = buildSchema(`
  type Item { id: ID! }
  type Query { items: [Item!]! }
  type Mutation { addItem: Item! }
  type User { id: ID! username: String! createdAt: String! }
  type Log { id: ID! user: User! }
  type Subscription { itemAdded: Item! logAdded: Log! }
`);
const directives: DemandDirectives = {
  weights: new Map(),
  listSizes: new Map([['Query.items', { assumedSize: 50, slicingArguments: [] }]]),
};
const MAX_COST = 100;

/** What the live demand budget's refusals tell the operator (securityLog.ts). */
const securityLog = { refusedToken: vi.fn(), rateLimited: vi.fn() };

// Only `costed` is under test: it uses the demand controls and the security log that hears of
// their refusals, and nothing else of the options.
const operations = streamingOperations({
  demand: demandControl(MAX_COST, () => directives),
  liveDemand: liveDemandBudget(MAX_COST),
  securityLog,
} as unknown as StreamingOperationsOptions);

const arriving = (): RouterContext =>
  ({ caller: null, clientAddress: '127.0.0.1', requestId: 'r' }) as unknown as RouterContext;

describe('streamingOperations.costed', () => {
  // A mutation's root field costs at least 10 (demandControl's MUTATION_WEIGHT), an object 1.
  it.each([
    { kind: 'query', document: '{ items { id } }', cost: 50 },
    { kind: 'mutation', document: 'mutation { addItem { id } }', cost: 10 },
  ])(
    'gives a $kind a context of its own that carries its cost ($cost), leaving the arriving one as it was',
    ({ document, cost }) => {
      const context = arriving();
      const costed = operations.costed(schema, parse(document), null, {}, context);
      expect(costed).not.toBeInstanceOf(GraphQLError);
      const costedContext = (costed as CostedOperation<RouterContext>).context;
      expect(costedContext).not.toBe(context);
      expect(costedContext).toMatchObject({ ...context, operationCost: cost });
      expect(context.operationCost).toBeUndefined();
    },
  );

  it('hands a subscription back the context it came with, carrying no cost', () => {
    const context = arriving();
    const costed = operations.costed(
      schema,
      parse('subscription { itemAdded { id } }'),
      null,
      {},
      context,
    );
    expect((costed as CostedOperation<RouterContext>).context).toBe(context);
    expect(context.operationCost).toBeUndefined();
  });

  it('refuses an operation over the limit with COST_LIMIT_EXCEEDED, naming both figures', () => {
    const document = parse('{ a: items { id } b: items { id } c: items { id } }');
    const costed = operations.costed(schema, document, null, {}, arriving());
    expect(costed).toBeInstanceOf(GraphQLError);
    expect((costed as GraphQLError).extensions).toMatchObject({
      code: ErrorCode.CostLimitExceeded,
      maxCost: MAX_COST,
    });
  });

  it('costs the operation named, in a document of several', () => {
    const document = parse(
      'query Light { items { id } } query Heavy { a: items { id } b: items { id } c: items { id } }',
    );
    expect(operations.costed(schema, document, 'Light', {}, arriving())).not.toBeInstanceOf(
      GraphQLError,
    );
    expect(operations.costed(schema, document, 'Heavy', {}, arriving())).toBeInstanceOf(
      GraphQLError,
    );
  });
});

describe('the live demand budget of one user (liveDemand.ts)', () => {
  const subscriber = (id: string): RouterContext =>
    ({
      transport: 'sse',
      caller: { id, username: id },
      clientAddress: '127.0.0.1',
    }) as unknown as RouterContext;
  const subscribe = (document: string, context: RouterContext) =>
    operations.costed(schema, parse(document), null, {}, context);

  it('holds each subscription`s demand per event until it is released, once', () => {
    // `itemAdded { id }`: cost 1 + 5 for each event delivered = 6; the budget is 100.
    const holds = Array.from({ length: 16 }, () =>
      subscribe('subscription { itemAdded { id } }', subscriber('u1')),
    );
    for (const hold of holds) expect(hold).not.toBeInstanceOf(GraphQLError);
    securityLog.rateLimited.mockClear();
    const refused = subscribe('subscription { itemAdded { id } }', subscriber('u1'));
    expect((refused as GraphQLError).extensions).toMatchObject({
      code: ErrorCode.RateLimited,
      cost: 6,
      liveCost: 96,
      maxLiveCost: MAX_COST,
    });
    // A rate limit, told to the operator as one (with the transport, the address and the user).
    expect(securityLog.rateLimited.mock.calls).toEqual([
      [
        {
          limit: 'live demand per user',
          transport: 'sse',
          clientAddress: '127.0.0.1',
          userId: 'u1',
        },
      ],
    ]);
    expect(subscribe('subscription { itemAdded { id } }', subscriber('u2'))).not.toBeInstanceOf(
      GraphQLError,
    );
    const release = (holds[0] as CostedOperation<RouterContext>).release;
    release();
    release();
    expect(subscribe('subscription { itemAdded { id } }', subscriber('u1'))).not.toBeInstanceOf(
      GraphQLError,
    );
    expect(subscribe('subscription { itemAdded { id } }', subscriber('u1'))).toBeInstanceOf(
      GraphQLError,
    );
  });

  it('counts a fetch of the log`s owner for each event, once per response name that needs one', () => {
    // 1 + user 1 + 5 + 400: alone over the budget.
    securityLog.rateLimited.mockClear();
    const refused = subscribe('subscription { logAdded { user { createdAt } } }', subscriber('u3'));
    expect((refused as GraphQLError).extensions).toMatchObject({
      code: ErrorCode.CostLimitExceeded,
      cost: 407,
      maxCost: MAX_COST,
    });
    // Too costly by itself is no rate limit.
    expect(securityLog.rateLimited).not.toHaveBeenCalled();
    const twice = subscribe(
      'subscription { logAdded { a: user { createdAt } ...F } } fragment F on Log { b: user { id createdAt } }',
      subscriber('u3'),
    );
    expect((twice as GraphQLError).extensions).toMatchObject({ cost: 1 + 2 + 5 + 800 });
    // One response name, merged: one fetch (demand control counts each of its two nodes: 2).
    const merged = subscribe(
      'subscription { logAdded { user { id } ...F } } fragment F on Log { user { createdAt } }',
      subscriber('u3'),
    );
    expect((merged as GraphQLError).extensions).toMatchObject({ cost: 1 + 2 + 5 + 400 });
  });

  it('counts no fetch for a user answered from the token (id, username, __typename): 14 of them fit where none that fetches does', () => {
    const fetchFree = 'subscription { logAdded { owner: user { id name: username __typename } } }';
    const holds = Array.from({ length: 14 }, () => subscribe(fetchFree, subscriber('u4')));
    for (const hold of holds) expect(hold).not.toBeInstanceOf(GraphQLError);
    // 1 + user 1 + 5 = 7 each: 98 held, a 15th would make 105.
    expect((subscribe(fetchFree, subscriber('u4')) as GraphQLError).extensions).toMatchObject({
      code: ErrorCode.RateLimited,
      cost: 7,
      liveCost: 98,
    });
  });

  it('leaves out what @skip/@include leave out, with the variables as execution coerces them', () => {
    const document = parse(
      'subscription ($full: Boolean = false) { logAdded { user { id createdAt @include(if: $full) } } }',
    );
    const costed = (variables: Record<string, unknown>) =>
      operations.costed(schema, document, null, variables, subscriber('u5'));
    expect((costed({ full: true }) as GraphQLError).extensions).toMatchObject({ cost: 407 });
    // The default, false: no fetch.
    const admitted = costed({});
    expect(admitted).not.toBeInstanceOf(GraphQLError);
    (admitted as CostedOperation<RouterContext>).release();
    expect(costed({ full: false })).not.toBeInstanceOf(GraphQLError);
    // Variables that do not coerce are refused before any budget is held, as HTTP refuses them.
    expect((costed({ full: 'no' }) as GraphQLError).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
    });
  });
});

describe('streamingOperations.prepare', () => {
  // What `prepare` uses of the options: the schema, the parser and the validation.
  const preparing = streamingOperations({
    schema: () => schema,
    parse: (source: string) => parse(source),
    validationRules: [NoSchemaIntrospectionCustomRule],
    validationError: (error: GraphQLError) => error,
    hideSuggestions: false,
  } as unknown as StreamingOperationsOptions);
  const refusal = (request: Parameters<typeof preparing.prepare>[0]) => {
    const prepared = preparing.prepare(request);
    expect(prepared).toHaveProperty('errors');
    const { errors, status } = prepared as StreamingRefusal;
    return {
      status,
      errors: errors.map((e) => ({ message: e.message, code: e.extensions['code'] })),
    };
  };

  it('hands back the document, its schema and the operation named', () => {
    const prepared = preparing.prepare({
      query: 'query A { items { id } } query B { items { id } }',
      operationName: 'B',
    }) as PreparedOperation;
    expect(prepared.schema).toBe(schema);
    expect(prepared.operation.name?.value).toBe('B');
  });

  /** Streaming operations over `schemaNow()` whose parses are counted. */
  function countingParses(schemaNow: () => GraphQLSchema) {
    const counted = { parsed: 0 };
    const operations = streamingOperations({
      schema: schemaNow,
      parse: (source: string) => {
        counted.parsed += 1;
        return parse(source);
      },
      validationRules: [],
      validationError: (error: GraphQLError) => error,
      hideSuggestions: false,
    } as unknown as StreamingOperationsOptions);
    return { operations, parses: () => counted.parsed };
  }

  it('parses and validates a text once per schema: its senders share the document', () => {
    let current = schema;
    const { operations: counting, parses } = countingParses(() => current);
    const query = 'query A { items { id } } query B { items { id } }';
    const first = counting.prepare({ query, operationName: 'A' }) as PreparedOperation;
    const second = counting.prepare({ query, operationName: 'B' }) as PreparedOperation;
    expect(second.document).toBe(first.document);
    expect(second.operation.name?.value).toBe('B');
    expect(parses()).toBe(1);
    // A new supergraph: the text is parsed and validated again, against it.
    current = buildSchema(printSchema(schema));
    const third = counting.prepare({ query, operationName: 'A' }) as PreparedOperation;
    expect(third.schema).toBe(current);
    expect(third.document).not.toBe(first.document);
    expect(parses()).toBe(2);
    // A refusal is not kept: the text is parsed again each time it is sent.
    expect(counting.prepare({ query: '{ nope }' })).toHaveProperty('errors');
    expect(counting.prepare({ query: '{ nope }' })).toHaveProperty('errors');
    expect(parses()).toBe(4);
  });

  it('keeps valid documents up to a bound on their characters together, the least recently used forgotten first', () => {
    const { operations: counting, parses } = countingParses(() => schema);
    // Texts of 8,000 characters (a comment, then the query): as many as fit in the bound.
    const text = (i: number) => `# ${String(i).padEnd(7_980, '.')}\n{ items { id } }`;
    const fit = Math.floor(VALID_DOCUMENTS_KEPT.characters / text(0).length);
    expect(fit).toBeGreaterThan(1);
    for (let i = 0; i < fit; i++) counting.prepare({ query: text(i) });
    expect(parses()).toBe(fit);
    counting.prepare({ query: text(0) }); // kept, and now the latest used
    expect(parses()).toBe(fit);
    counting.prepare({ query: text(fit) }); // one more: the least recently used goes, text(1)
    expect(parses()).toBe(fit + 1);
    counting.prepare({ query: text(0) });
    expect(parses()).toBe(fit + 1);
    counting.prepare({ query: text(1) }); // forgotten, parsed again
    expect(parses()).toBe(fit + 2);
  });

  it.each([
    {
      what: 'several operations and no operationName',
      request: { query: 'query A { items { id } } query B { items { id } }' },
      message: 'The document has several operations: say which to run with operationName',
    },
    {
      what: 'an operationName the document lacks',
      request: { query: 'query A { items { id } }', operationName: 'B' },
      message: 'Unknown operation named "B"',
    },
  ])('refuses $what: 400 OPERATION_RESOLUTION_FAILURE, in HTTP`s words', ({ request, message }) => {
    expect(refusal(request)).toEqual({
      status: 400,
      errors: [{ message, code: RequestErrorCode.OperationResolutionFailure }],
    });
  });

  it('refuses a persisted query before reading its query, as Apollo Server does: 200', () => {
    const persistedQuery = { version: 1, sha256Hash: 'a'.repeat(64) };
    expect(refusal({ query: '{ items {', extensions: { persistedQuery } })).toEqual({
      status: 200,
      errors: [
        {
          message: 'PersistedQueryNotSupported',
          code: RequestErrorCode.PersistedQueryNotSupported,
        },
      ],
    });
  });

  it('refuses a syntax error, then an invalid document, each with 400 and its code', () => {
    expect(refusal({ query: '{ items {' })).toMatchObject({
      status: 400,
      errors: [{ code: RequestErrorCode.ParseFailed }],
    });
    // Validated before the operation is looked for: the validation error, not the choice.
    expect(refusal({ query: 'query A { nope } query B { __schema { description } }' })).toEqual({
      status: 400,
      errors: [
        {
          message: 'Cannot query field "nope" on type "Query".',
          code: RequestErrorCode.ValidationFailed,
        },
        {
          message: expect.stringMatching(/^GraphQL introspection has been disabled/),
          code: RequestErrorCode.ValidationFailed,
        },
      ],
    });
  });
});

describe('a fault of ours while a streamed operation runs', () => {
  /**
   * A context whose logger keeps what is logged at error level: `errors` the errors, `logged`
   * every line's fields. (The router's context logger carries the request id: streamingContext.)
   */
  function recorded() {
    const errors: unknown[] = [];
    const logged: Array<{ err?: unknown; path?: unknown }> = [];
    const context = {
      ...arriving(),
      requestId: 'req-1',
      logger: {
        error: (fields: { err?: unknown; path?: unknown }) => {
          errors.push(fields.err);
          logged.push(fields);
        },
      },
    } as unknown as RouterContext;
    return { context, errors, logged };
  }
  const failing = streamingOperations({
    executeThroughGateway: () => Promise.reject(new TypeError('a bug of ours')),
    resolver: { subscribeFieldResolver: () => undefined, fieldResolver: () => undefined },
  } as unknown as StreamingOperationsOptions);
  const internal = {
    message: 'Internal server error (request id req-1)',
    extensions: { code: ErrorCode.Internal, requestId: 'req-1' },
  };

  it('is that operation’s error, logged with its request id, when the gateway’s call throws', async () => {
    const { context, errors } = recorded();
    const result = await failing.execute({
      schema,
      document: parse('{ items { id } }'),
      contextValue: context,
    });
    expect(result.data).toBeNull();
    expect(result.errors?.map((e) => e.toJSON())).toEqual([internal]);
    expect(errors).toEqual([new TypeError('a bug of ours')]);
  });

  it('is that subscription’s error, not a rejection, when graphql-js throws what is not a GraphQLError', async () => {
    // Unvalidated, a skipped root field leaves graphql-js 16 nothing to subscribe to: a TypeError.
    const { context, errors } = recorded();
    const result = await failing.subscribe({
      schema,
      document: parse('subscription { itemAdded @skip(if: true) { id } }'),
      contextValue: context,
    });
    expect(Symbol.asyncIterator in result).toBe(false);
    expect((result as { errors: GraphQLError[] }).errors.map((e) => e.toJSON())).toEqual([
      internal,
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TypeError);
  });
  it('is that subscription’s error, logged with its request id, when its stream fails with what is not a GraphQLError', async () => {
    const { context, errors } = recorded();
    const fault = new Error('connect ECONNREFUSED 10.0.0.5:6379');
    const streaming = streamingOperations({
      resolver: {
        subscribeFieldResolver: () => ({
          [Symbol.asyncIterator]() {
            return { next: () => Promise.reject(fault) };
          },
        }),
        fieldResolver: () => undefined,
      },
    } as unknown as StreamingOperationsOptions);
    const stream = (await streaming.subscribe({
      schema,
      document: parse('subscription { itemAdded { id } }'),
      contextValue: context,
    })) as AsyncGenerator<ExecutionResult>;
    const told = await stream.next().then(
      () => undefined,
      (error: unknown) => error,
    );
    // graphql-ws sends the message of what the stream throws: the masked one, not the fault's.
    expect(told).toBeInstanceOf(GraphQLError);
    expect((told as GraphQLError).toJSON()).toEqual(internal);
    expect(errors).toEqual([fault]);
  });

  /** Streaming operations whose subscribe resolver is `subscribeFieldResolver`. */
  const subscribingWith = (subscribeFieldResolver: () => unknown) =>
    streamingOperations({
      resolver: { subscribeFieldResolver, fieldResolver: () => undefined },
    } as unknown as StreamingOperationsOptions);

  it('is that subscription’s error, logged with its request id, when its subscribe resolver throws what is not a GraphQLError (a refusal passes)', async () => {
    // As openLogFeed's `await subscribed` rejects when Redis refuses the SUBSCRIBE: graphql-js
    // hands it back located at the field, with the raw error's message.
    const { context, errors, logged } = recorded();
    const fault = new Error('connect ECONNREFUSED 10.0.0.5:6379');
    const result = await subscribingWith(() => Promise.reject(fault)).subscribe({
      schema,
      document: parse('subscription { itemAdded { id } }'),
      contextValue: context,
    });
    expect(Symbol.asyncIterator in result).toBe(false);
    expect((result as { errors: GraphQLError[] }).errors.map((e) => e.toJSON())).toEqual([
      { ...internal, path: ['itemAdded'] },
    ]);
    expect(errors).toEqual([fault]);
    expect(logged[0]?.path).toEqual(['itemAdded']);

    // A refusal of ours (a GraphQLError with its code) is the client's to read: as it is.
    const refusal = new GraphQLError('Sign in to subscribe', {
      extensions: { code: ErrorCode.Unauthenticated },
    });
    const refused = await subscribingWith(() => Promise.reject(refusal)).subscribe({
      schema,
      document: parse('subscription { itemAdded { id } }'),
      contextValue: context,
    });
    expect((refused as { errors: GraphQLError[] }).errors.map((e) => e.toJSON())).toEqual([
      {
        message: 'Sign in to subscribe',
        locations: [{ line: 1, column: 16 }],
        path: ['itemAdded'],
        extensions: { code: ErrorCode.Unauthenticated },
      },
    ]);
    expect(errors).toHaveLength(1);
  });
});

describe('one event reaching many subscribers (sharedEventExecution.ts)', () => {
  /** A source of events that every open subscription receives, the same object for each. */
  function eventSource() {
    const feeds = new Set<(event: object) => void>();
    const subscribeFieldResolver = () => {
      const queued: object[] = [];
      let waiting: ((result: IteratorResult<object>) => void) | undefined;
      const push = (event: object) => {
        if (waiting) waiting({ value: event, done: false });
        else queued.push(event);
        waiting = undefined;
      };
      feeds.add(push);
      const feed: AsyncIterableIterator<object> = {
        next: () => {
          const event = queued.shift();
          if (event) return Promise.resolve({ value: event, done: false });
          return new Promise((resolve) => (waiting = resolve));
        },
        return: () => {
          feeds.delete(push);
          return Promise.resolve({ value: undefined, done: true });
        },
        [Symbol.asyncIterator]: () => feed,
      };
      return feed;
    };
    return {
      subscribeFieldResolver,
      publish: (event: object) => feeds.forEach((f) => f(event)),
      openFeeds: () => feeds.size,
    };
  }

  function sharing(idOf: (source: { id: string }, context: RouterContext) => string) {
    const source = eventSource();
    let executions = 0;
    const operations = streamingOperations({
      parse: (text: string) => parse(text),
      resolver: {
        subscribeFieldResolver: source.subscribeFieldResolver,
        fieldResolver: (
          parent: unknown,
          _args: unknown,
          context: RouterContext,
          info: GraphQLResolveInfo,
        ) => {
          if (info.parentType.name === 'Subscription') return parent;
          if (info.fieldName !== 'id') return (parent as Record<string, unknown>)[info.fieldName];
          executions += 1;
          return idOf(parent as { id: string }, context);
        },
      },
    } as unknown as StreamingOperationsOptions);
    /** What was logged at error level, by the request id of the context it was logged with. */
    const logged: Array<{ requestId: string; err: unknown }> = [];
    const open = async (
      text: string,
      caller: string,
      {
        requestId = 'r',
        variableValues = {},
        operationName,
        on = schema,
      }: {
        requestId?: string;
        variableValues?: Record<string, unknown>;
        operationName?: string;
        on?: GraphQLSchema;
      } = {},
    ) => {
      const document = operations.parse(text) as DocumentNode;
      const stream = await operations.subscribe({
        schema: on,
        document,
        variableValues,
        operationName,
        contextValue: {
          caller: { id: caller, username: caller },
          requestId,
          logger: { error: ({ err }: { err: unknown }) => logged.push({ requestId, err }) },
        },
      });
      return stream as AsyncGenerator<ExecutionResult>;
    };
    /** Publishes `event` and resolves with what each of `streams` received for it, in order. */
    const deliver = async (streams: Array<AsyncGenerator<ExecutionResult>>, event: object) => {
      const next = streams.map((stream) => stream.next());
      source.publish(event);
      return (await Promise.all(next)).map((r) => r.value as ExecutionResult);
    };
    return {
      open,
      deliver,
      logged,
      openFeeds: source.openFeeds,
      executions: () => executions,
    };
  }

  it('executes an event once per operation text, variables and caller, and gives each subscriber that result', async () => {
    const { open, deliver, executions } = sharing((log) => log.id);
    const text = 'subscription { logAdded { id } }';
    const streams = [
      await open(text, 'u1'),
      await open(text, 'u1'),
      await open(text, 'u1'),
      await open(text, 'u2'),
      await open('subscription { logAdded { logId: id } }', 'u1'),
    ];
    const results = await deliver(streams, { id: 'L1' });
    expect(results.map((r) => r.data)).toEqual([
      ...Array.from({ length: 4 }, () => ({ logAdded: { id: 'L1' } })),
      { logAdded: { logId: 'L1' } },
    ]);
    expect(executions()).toBe(3);
    // The next event is executed anew, not answered from the first.
    for (const r of await deliver(streams.slice(0, 3), { id: 'L2' }))
      expect(r.data).toEqual({ logAdded: { id: 'L2' } });
    expect(executions()).toBe(4);
    for (const stream of streams) await stream.return(undefined);
  });

  it('executes apart what differs only in variables, the operation named, or the schema', async () => {
    const { open, deliver, executions } = sharing((log) => log.id);
    const withVariable = 'subscription ($x: Boolean) { logAdded { id } }';
    const twoOperations = 'subscription A { logAdded { id } } subscription B { logAdded { id } }';
    const text = 'subscription { logAdded { id } }';
    const streams = [
      await open(withVariable, 'u1', { variableValues: { x: true } }),
      await open(withVariable, 'u1', { variableValues: { x: false } }),
      await open(twoOperations, 'u1', { operationName: 'A' }),
      await open(twoOperations, 'u1', { operationName: 'B' }),
      await open(text, 'u1'),
      await open(text, 'u1', { on: buildSchema(printSchema(schema)) }),
    ];
    for (const r of await deliver(streams, { id: 'L1' }))
      expect(r.data).toEqual({ logAdded: { id: 'L1' } });
    expect(executions()).toBe(6);
    for (const stream of streams) await stream.return(undefined);
  });

  it('never shares a result with errors: each subscriber gets its own, with its own request id', async () => {
    const { open, deliver, executions, logged } = sharing((_log, context) => {
      throw new GraphQLError(`failed for ${context.requestId}`, {
        extensions: { code: ErrorCode.Unauthenticated },
      });
    });
    const text = 'subscription { logAdded { id } }';
    const streams = [
      await open(text, 'u1', { requestId: 'req-a' }),
      await open(text, 'u1', { requestId: 'req-b' }),
    ];
    const results = await deliver(streams, { id: 'L1' });
    expect(results.map((r) => r.errors?.map((e) => e.message))).toEqual([
      ['failed for req-a'],
      ['failed for req-b'],
    ]);
    // A GraphQLError a resolver throws with a client's code is an answer, passed on: no fault.
    expect(logged).toEqual([]);
    expect(executions()).toBe(2);
    for (const stream of streams) await stream.return(undefined);
  });

  it('tells each subscriber of a field resolver’s raw error as the masked error with its own request id, and logs it', async () => {
    // As the owner lookup through the gateway rejecting with a raw error (logAddedResolver.ts).
    const fault = new Error('connect ECONNREFUSED 10.0.0.7:4001');
    const { open, deliver, logged } = sharing(() => {
      throw fault;
    });
    const text = 'subscription { logAdded { id } }';
    const streams = [
      await open(text, 'u1', { requestId: 'req-a' }),
      await open(text, 'u1', { requestId: 'req-b' }),
    ];
    const results = await deliver(streams, { id: 'L1' });
    const masked = (requestId: string) => ({
      message: `Internal server error (request id ${requestId})`,
      path: ['logAdded', 'id'],
      extensions: { code: ErrorCode.Internal, requestId },
    });
    expect(
      results.map((r) => ({ data: r.data, errors: r.errors?.map((e) => e.toJSON()) })),
    ).toEqual([
      { data: null, errors: [masked('req-a')] },
      { data: null, errors: [masked('req-b')] },
    ]);
    expect(logged).toEqual([
      { requestId: 'req-a', err: fault },
      { requestId: 'req-b', err: fault },
    ]);
    for (const stream of streams) await stream.return(undefined);
  });

  it('tells a subscriber of an error without a client code (a value the schema cannot serialise) as the masked error, and logs it', async () => {
    // graphql-js's words for an enum value this router's schema does not know, printed with it.
    const unserialisable = new GraphQLError('Enum "Operation" cannot represent value: "SQRT"');
    const { open, deliver, logged } = sharing(() => {
      throw unserialisable;
    });
    const stream = await open('subscription { logAdded { id } }', 'u1', { requestId: 'req-c' });
    const [result] = await deliver([stream], { id: 'L1' });
    expect(result?.errors?.map((e) => e.toJSON())).toEqual([
      {
        message: 'Internal server error (request id req-c)',
        path: ['logAdded', 'id'],
        extensions: { code: ErrorCode.Internal, requestId: 'req-c' },
      },
    ]);
    expect(logged).toEqual([{ requestId: 'req-c', err: unserialisable }]);
    await stream.return(undefined);
  });

  it('ends the source and rethrows when a stream is thrown into, its source having no throw', async () => {
    const { open, openFeeds } = sharing((log) => log.id);
    const stream = await open('subscription { logAdded { id } }', 'u1');
    expect(openFeeds()).toBe(1);
    await expect(stream.throw(new Error('stop'))).rejects.toThrow('stop');
    expect(openFeeds()).toBe(0);
  });

  it('ends the source when a subscriber ends its stream', async () => {
    const { open, openFeeds } = sharing((log) => log.id);
    const stream = await open('subscription { logAdded { id } }', 'u1');
    expect(openFeeds()).toBe(1);
    expect(await stream.return(undefined)).toEqual({ value: undefined, done: true });
    expect(openFeeds()).toBe(0);
  });
});
