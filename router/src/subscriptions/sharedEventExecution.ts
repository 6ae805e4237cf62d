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
 * never shared (an internal error carries its subscriber's request id: a fault of ours among
 * its errors is reported as the result is made, executeAlone), each of the others executes on
 * its own; and the owner fetch a selection may need is keyed by caller already
 * (logAddedResolver.ts). An event that is not one object seen by several subscribers (a catch-up
 * page from the database) simply executes for its subscriber.
 */
import { ErrorCode, hasClientCode } from '@microservice-math/shared/errorCodes';
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
 * The error a subscriber is told of a fault of ours (isFault), given the operation's context:
 * one that ended its stream, or one among an event's result errors. graphql-ws and graphql-sse
 * send an error's own message to the client (a Redis or database error's text, an address), so
 * it is reported instead (logged, and masked: streamingOperations.ts).
 */
export type FaultReport = (contextValue: unknown, error: unknown) => GraphQLError;

/**
 * Whether `error` carries a raw error's words: what is not a GraphQLError, or a GraphQLError that
 * graphql-js made of one (a resolver threw it, and it was located at the field: its
 * `originalError` is the raw error, its message the raw message).
 */
export function isRawError(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return true;
  const original = error.originalError;
  return original !== undefined && original !== null && !(original instanceof GraphQLError);
}

/**
 * Whether an error reaching a subscriber is a fault of ours rather than an answer meant for
 * them, by HTTP's rule (serviceHost.ts): one without a code the client is meant to read
 * (CLIENT_ERROR_CODES). That takes in graphql-js's own words for a value the schema cannot
 * serialise (an enum value this router does not know yet, printed with the value) and a
 * GraphQLError thrown without a code, beside raw errors. An internal error already masked (the
 * gateway's answer in production, carrying its request id) was logged where it was made.
 */
export function isFault(error: unknown): boolean {
  if (!(error instanceof GraphQLError)) return true;
  if (hasClientCode(error.extensions)) return false;
  const { code, requestId } = error.extensions;
  return !(code === ErrorCode.Internal && typeof requestId === 'string');
}

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

/**
 * `result` with each fault of ours among its errors reported (FaultReport) for this subscriber:
 * a field resolver's raw error (an owner fetch that failed) carried its message to the client.
 * A result without errors (nearly every one, and every one shared) is returned as it is.
 */
function withFaultsReported(
  result: ExecutionResult,
  contextValue: unknown,
  fault: FaultReport,
): ExecutionResult {
  const { errors } = result;
  if (!errors || !errors.some(isFault)) return result;
  return {
    ...result,
    errors: errors.map((error) => (isFault(error) ? fault(contextValue, error) : error)),
  };
}

/**
 * One execution of `event` for one subscriber. A result with errors is never shared (eventStep),
 * so the request id a reported fault carries reaches only this subscriber.
 */
function executeAlone(args: ExecutionArgs, event: unknown, fault: FaultReport): Executed {
  const executing = execute({ ...args, rootValue: event });
  if (!(executing instanceof Promise)) {
    const result = withFaultsReported(executing, args.contextValue, fault);
    return { step: Promise.resolve({ value: result, done: false }), result };
  }
  const executed: Executed = {
    step: executing.then((value: ExecutionResult) => {
      const result = withFaultsReported(value, args.contextValue, fault);
      executed.result = result;
      return { value: result, done: false };
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
function eventStep(
  args: ExecutionArgs,
  key: string | undefined,
  event: unknown,
  fault: FaultReport,
): Promise<Step> {
  if (key === undefined || event === null || typeof event !== 'object')
    return executeAlone(args, event, fault).step;
  let byEvent = executionsBySchema.get(args.schema);
  if (!byEvent) executionsBySchema.set(args.schema, (byEvent = new WeakMap()));
  let executions = byEvent.get(event);
  if (!executions) byEvent.set(event, (executions = new Map()));
  const shared = executions.get(key);
  if (!shared) {
    const first = executeAlone(args, event, fault);
    executions.set(key, first);
    return first.step;
  }
  // A result with errors is not shared (its errors may carry its subscriber's request id): each
  // of the others executes on its own, as every subscriber did before this module.
  if (shared.result)
    return shared.result.errors ? executeAlone(args, event, fault).step : shared.step;
  return shared.step.then((step) =>
    step.value?.errors ? executeAlone(args, event, fault).step : step,
  );
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

  /**
   * Ends the source. Its failure to end (a Redis UNSUBSCRIBE that fails) is a fault of ours,
   * reported, and the stream ends all the same: passed on, graphql-ws printed it with
   * console.error and closed the whole socket (4500), ending every other subscription on it.
   */
  return(): Promise<Step> {
    return settled(() =>
      this.iterator.return ? this.iterator.return() : { value: undefined, done: true },
    ).then(
      (result) => this.executed(result),
      (error: unknown): Step => {
        this.fault(this.args.contextValue, error);
        return { value: undefined, done: true };
      },
    );
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

  /** Ends the source, then rejects with `error`; a source failing to end is reported. */
  private failed(error: unknown): Promise<never> {
    return settled(() => this.iterator.return?.()).then(
      () => Promise.reject(error),
      (ending: unknown) => {
        this.fault(this.args.contextValue, ending);
        return Promise.reject(error);
      },
    );
  }

  /** What the subscriber is told of `error`, which ended its stream (FaultReport, isFault). */
  private reported(error: unknown): unknown {
    return isFault(error) ? this.fault(this.args.contextValue, error) : error;
  }

  private executed(result: IteratorResult<unknown>): Step | Promise<Step> {
    if (result.done) return { value: undefined, done: true };
    let step: Promise<Step>;
    try {
      step = eventStep(this.args, this.key, result.value, this.fault);
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
