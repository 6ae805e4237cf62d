/**
 * A subscription's events, each executed once for every subscriber that would get the same
 * answer. graphql-js's `subscribe` executes the selection set for every subscriber and event: a
 * log reaching 5,000 open tabs of one account ran `logAdded { id createdAt }` 5,000 times over the
 * same event object. Here the source stream is made as graphql-js makes it
 * (`createSourceEventStream`), and each event is executed once per distinct operation text,
 * operation name, variables and caller; every subscriber with those gets the same result object
 * (transports only serialise it).
 *
 * What else a result could depend on is per subscriber and kept so: a result with errors is
 * never shared (an internal error carries its subscriber's request id), each of the others
 * executes on its own; and the owner fetch a selection may need is keyed by caller already
 * (logAddedResolver.ts). An event that is not one object seen by several subscribers (a catch-up
 * page from the database) simply executes for its subscriber.
 */
import {
  createSourceEventStream,
  execute,
  GraphQLError,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type subscribe,
} from 'graphql';

type Subscription = Awaited<ReturnType<typeof subscribe>>;

type Step = IteratorResult<ExecutionResult, void>;

/**
 * The error a subscriber is told of a fault of ours that ended its stream (what is not a
 * GraphQLError), given the operation's context: graphql-ws sends a thrown error's own message to
 * the client (a Redis or database error's text, an address), so it is reported here instead.
 */
export type FaultReport = (contextValue: unknown, error: unknown) => GraphQLError;

/** One execution of an event, as the iterator hands it on, and its result once known. */
interface Executed {
  step: Promise<Step>;
  result?: ExecutionResult;
}

/**
 * For each schema, then each event object: the execution of it for each sharing key. Per schema,
 * because a supergraph reload leaves subscriptions opened before it on the schema they were
 * validated against, and the same text may mean another thing on the new one.
 */
const executionsBySchema = new WeakMap<GraphQLSchema, WeakMap<object, Map<string, Executed>>>();

/**
 * What makes two subscribers' executions of one event the same; undefined when the operation's
 * text is not known (then it is not shared).
 */
export function sharingKey(args: ExecutionArgs, source: string | undefined): string | undefined {
  if (source === undefined) return undefined;
  const caller = (args.contextValue as { caller?: { id?: string } | null } | undefined)?.caller;
  return JSON.stringify([
    source,
    args.operationName ?? null,
    args.variableValues ?? {},
    caller?.id,
  ]);
}

function executeAlone(args: ExecutionArgs, event: unknown): Executed {
  const result = execute({ ...args, rootValue: event });
  if (!(result instanceof Promise))
    return { step: Promise.resolve({ value: result, done: false }), result };
  const executed: Executed = {
    step: result.then((value: ExecutionResult) => {
      executed.result = value;
      return { value, done: false };
    }),
  };
  return executed;
}

/**
 * The step that hands `event`, executed, to one subscriber. Those that share a key share the
 * step itself (the same promise and result): a fan-out to thousands of subscribers makes one
 * promise per subscriber fewer, and one closure, where each of them is alive until every
 * subscriber has been served, long enough to be promoted to the old generation.
 */
function eventStep(args: ExecutionArgs, key: string | undefined, event: unknown): Promise<Step> {
  if (key === undefined || event === null || typeof event !== 'object')
    return executeAlone(args, event).step;
  let byEvent = executionsBySchema.get(args.schema);
  if (!byEvent) executionsBySchema.set(args.schema, (byEvent = new WeakMap()));
  let executions = byEvent.get(event);
  if (!executions) byEvent.set(event, (executions = new Map()));
  const shared = executions.get(key);
  if (!shared) {
    const first = executeAlone(args, event);
    executions.set(key, first);
    return first.step;
  }
  // A result with errors is not shared (its errors may carry its subscriber's request id): each
  // of the others executes on its own, as every subscriber did before this module.
  if (shared.result) return shared.result.errors ? executeAlone(args, event).step : shared.step;
  return shared.step.then((step) => (step.value?.errors ? executeAlone(args, event).step : step));
}

/**
 * An async iterator of a source stream's events, each executed (eventStep), ending the source
 * when it ends, as graphql-js's mapAsyncIterator does (its final result is
 * `{ value: undefined, done: true }` rather than the source's own: graphql-ws and graphql-sse
 * read only `done`). One is held for every open subscription: a class, so that its methods are
 * shared by all of them rather than closures made for each (about 500 bytes a subscription);
 * and without async functions, whose frames and promises, two per event and subscriber, were a
 * fifth of what a fan-out allocated.
 */
class EventResults implements AsyncGenerator<ExecutionResult, void, void> {
  constructor(
    private readonly iterator: AsyncIterator<unknown>,
    private readonly args: ExecutionArgs,
    private readonly key: string | undefined,
    private readonly fault: FaultReport,
  ) {}

  next(): Promise<Step> {
    return settled(() => this.iterator.next()).then(
      (result) => this.executed(result),
      (error: unknown) => Promise.reject(this.reported(error)),
    );
  }

  return(): Promise<Step> {
    return settled(() =>
      this.iterator.return ? this.iterator.return() : { value: undefined, done: true },
    ).then((result) => this.executed(result));
  }

  throw(error: unknown): Promise<Step> {
    if (this.iterator.throw) {
      const thrown = this.iterator.throw.bind(this.iterator);
      return settled(() => thrown(error)).then((result) => this.executed(result));
    }
    return this.failed(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the source, then rejects with `error`. */
  private failed(error: unknown): Promise<never> {
    return settled(() => this.iterator.return?.()).then(
      () => Promise.reject(error),
      () => Promise.reject(error),
    );
  }

  /** What the subscriber is told of `error`, which ended its stream (FaultReport). */
  private reported(error: unknown): unknown {
    return error instanceof GraphQLError ? error : this.fault(this.args.contextValue, error);
  }

  private executed(result: IteratorResult<unknown>): Step | Promise<Step> {
    if (result.done) return { value: undefined, done: true };
    let step: Promise<Step>;
    try {
      step = eventStep(this.args, this.key, result.value);
    } catch (error) {
      return this.failed(this.reported(error));
    }
    return step.then(undefined, (error: unknown) => this.failed(this.reported(error)));
  }
}

/** What `call` returns, as a promise; a synchronous throw becomes its rejection. */
function settled<T>(call: () => T | PromiseLike<T>): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * `subscribe` as graphql-js 16 does it (the same refusals for a stream that cannot be made),
 * with each event executed once per sharing key (see the top of this file).
 */
export async function subscribeSharingEvents(
  args: ExecutionArgs,
  source: string | undefined,
  fault: FaultReport,
): Promise<Subscription> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream;
  const iterator = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  return new EventResults(iterator, args, sharingKey(args, source), fault);
}
