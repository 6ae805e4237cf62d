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
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type subscribe,
} from 'graphql';

type Subscription = Awaited<ReturnType<typeof subscribe>>;

/**
 * For each schema, then each event object: the result of each distinct execution of it, by
 * sharing key. Per schema, because a supergraph reload leaves subscriptions opened before it on
 * the schema they were validated against, and the same text may mean another thing on the new one.
 */
const resultsBySchema = new WeakMap<
  GraphQLSchema,
  WeakMap<object, Map<string, Promise<ExecutionResult>>>
>();

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

function executeEvent(
  args: ExecutionArgs,
  key: string | undefined,
  event: unknown,
): Promise<ExecutionResult> {
  const alone = () => Promise.resolve(execute({ ...args, rootValue: event }));
  if (key === undefined || event === null || typeof event !== 'object') return alone();
  let byEvent = resultsBySchema.get(args.schema);
  if (!byEvent) resultsBySchema.set(args.schema, (byEvent = new WeakMap()));
  let results = byEvent.get(event);
  if (!results) byEvent.set(event, (results = new Map()));
  const shared = results.get(key);
  if (!shared) {
    const first = alone();
    results.set(key, first);
    return first;
  }
  // A result with errors is not shared (its errors may carry its subscriber's request id): each
  // of the others executes on its own, as every subscriber did before this module.
  return shared.then((result) => (result.errors ? alone() : result));
}

/**
 * An async iterator of a source stream's events, each executed (executeEvent), ending the source
 * when it ends, as graphql-js's mapAsyncIterator does (its final result is
 * `{ value: undefined, done: true }` rather than the source's own: graphql-ws and graphql-sse
 * read only `done`). One is held for every open subscription: a class, so that its methods are
 * shared by all of them rather than closures made for each (about 500 bytes a subscription).
 */
class EventResults implements AsyncGenerator<ExecutionResult, void, void> {
  constructor(
    private readonly iterator: AsyncIterator<unknown>,
    private readonly args: ExecutionArgs,
    private readonly key: string | undefined,
  ) {}

  async next(): Promise<IteratorResult<ExecutionResult, void>> {
    return this.executed(await this.iterator.next());
  }

  async return(): Promise<IteratorResult<ExecutionResult, void>> {
    return this.executed(
      this.iterator.return ? await this.iterator.return() : { value: undefined, done: true },
    );
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult, void>> {
    if (this.iterator.throw) return this.executed(await this.iterator.throw(error));
    await this.stop().catch(() => {});
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private async stop(): Promise<void> {
    await this.iterator.return?.();
  }

  private async executed(
    result: IteratorResult<unknown>,
  ): Promise<IteratorResult<ExecutionResult, void>> {
    if (result.done) return { value: undefined, done: true };
    try {
      return { value: await executeEvent(this.args, this.key, result.value), done: false };
    } catch (error) {
      await this.stop().catch(() => {});
      throw error;
    }
  }
}

/**
 * `subscribe` as graphql-js 16 does it (the same refusals for a stream that cannot be made),
 * with each event executed once per sharing key (see the top of this file).
 */
export async function subscribeSharingEvents(
  args: ExecutionArgs,
  source: string | undefined,
): Promise<Subscription> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream;
  const iterator = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  return new EventResults(iterator, args, sharingKey(args, source));
}
