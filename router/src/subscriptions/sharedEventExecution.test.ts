/**
 * Subscribers of one operation text, name, variables and caller share each event's execution and
 * its result, except a result with errors; a fault of ours among those errors is reported for
 * each subscriber; and each subscriber's stream follows the source as graphql-js's own would:
 * ending it, and passing its errors on (reporting a fault of ours). A small schema whose `tick`
 * subscription reads from a source stream the test pushes events into.
 */
import {
  buildSchema,
  GraphQLError,
  parse,
  type ExecutionArgs,
  type GraphQLFieldResolver,
} from 'graphql';
import { beforeEach, describe, expect, it } from 'vitest';
import { subscribeSharingEvents, type FaultReport } from './sharedEventExecution.js';

const schema = buildSchema(`
  type Query { unused: Int }
  type Tick { n: Int, checked: Int }
  type Subscription { tick: Tick }
`);
const TEXT = 'subscription { tick { n checked } }';
const document = parse(TEXT);

interface Tick {
  n: number;
  /** Its `checked` field fails for this tick. */
  failing?: boolean;
}

/** A source stream: `next` waits for what `push` gives it; what the stream was asked is noted. */
function source() {
  const waiting: Array<(result: IteratorResult<Tick>) => void> = [];
  const pushed: Tick[] = [];
  const asked: string[] = [];
  let failure: unknown;
  let returnFailure: unknown;
  const stream: AsyncIterableIterator<Tick> = {
    next() {
      asked.push('next');
      if (failure) return Promise.reject(failure);
      const tick = pushed.shift();
      if (tick) return Promise.resolve({ value: tick, done: false });
      return new Promise((resolve) => waiting.push(resolve));
    },
    return() {
      asked.push('return');
      for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
      if (returnFailure) return Promise.reject(returnFailure);
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]: () => stream,
  };
  return {
    stream,
    asked,
    push(tick: Tick) {
      const resolve = waiting.shift();
      if (resolve) resolve({ value: tick, done: false });
      else pushed.push(tick);
    },
    fail(error: unknown) {
      failure = error;
    },
    /** Its `return()` rejects with `error`, once it has ended. */
    failToEnd(error: unknown) {
      returnFailure = error;
    },
  };
}

/**
 * The faults of ours the streams reported (FaultReport): each one's context and error. Reported
 * as the masked error is, with the subscriber's request id, when its context has one.
 */
const faults: Array<{ contextValue: unknown; error: unknown }> = [];
const fault: FaultReport = (contextValue, error) => {
  faults.push({ contextValue, error });
  const requestId = (contextValue as { requestId?: string }).requestId;
  return new GraphQLError(`Internal server error${requestId ? ` (${requestId})` : ''}`);
};
beforeEach(() => {
  faults.length = 0;
});

/**
 * One subscriber of TEXT as `callerId` (with `requestId` in its context, if given), over
 * `events`; `checked` counts its executions.
 */
async function subscriber(
  events: ReturnType<typeof source>,
  checked: (tick: Tick) => unknown,
  callerId = 'u1',
  requestId?: string,
) {
  const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (parent, _args, _context, info) => {
    if (info.fieldName === 'tick') return parent;
    const tick = parent as Tick;
    return info.fieldName === 'checked' ? checked(tick) : tick.n;
  };
  const args: ExecutionArgs = {
    schema,
    document,
    contextValue: { caller: { id: callerId }, ...(requestId ? { requestId } : {}) },
    subscribeFieldResolver: () => events.stream,
    fieldResolver,
  };
  return (await subscribeSharingEvents(args, TEXT, fault)) as AsyncGenerator<
    { data?: unknown; errors?: readonly GraphQLError[] },
    void
  >;
}

describe('subscribers of one text, name, variables and caller', () => {
  it('share one execution of an event and its result; a result with errors each execute alone', async () => {
    const [a, b] = [source(), source()];
    let executions = 0;
    const checked = (tick: Tick) => {
      executions += 1;
      if (tick.failing) throw new Error('this tick fails');
      return tick.n * 10;
    };
    const [first, second] = [await subscriber(a, checked), await subscriber(b, checked)];
    const tick = { n: 1 };
    a.push(tick);
    b.push(tick);
    const [one, two] = await Promise.all([first.next(), second.next()]);
    expect(one.value).toEqual({ data: { tick: { n: 1, checked: 10 } } });
    expect(two.value).toBe(one.value);
    expect(executions).toBe(1);

    const failing = { n: 2, failing: true };
    a.push(failing);
    b.push(failing);
    const [three, four] = await Promise.all([first.next(), second.next()]);
    expect(three.value?.errors).toHaveLength(1);
    expect(four.value?.errors).toHaveLength(1);
    expect(four.value).not.toBe(three.value);
    expect(executions).toBe(1 + 2);
  });

  it('share a result that was known before the later one asked', async () => {
    const [a, b] = [source(), source()];
    let executions = 0;
    const checked = async (tick: Tick) => {
      executions += 1;
      await new Promise((resolve) => setImmediate(resolve));
      return tick.n;
    };
    const [first, second] = [await subscriber(a, checked), await subscriber(b, checked)];
    const tick = { n: 7 };
    a.push(tick);
    const one = await first.next();
    b.push(tick);
    const two = await second.next();
    expect(two.value).toBe(one.value);
    expect(one.value).toEqual({ data: { tick: { n: 7, checked: 7 } } });
    expect(executions).toBe(1);
  });

  it('of another caller do not share', async () => {
    const [a, b] = [source(), source()];
    let executions = 0;
    const checked = () => (executions += 1);
    const first = await subscriber(a, checked, 'u1');
    const second = await subscriber(b, checked, 'u2');
    const tick = { n: 3 };
    a.push(tick);
    b.push(tick);
    await Promise.all([first.next(), second.next()]);
    expect(executions).toBe(2);
  });
});

describe("faults of ours among an event's errors", () => {
  it("are reported for each subscriber, with its own context: a field's raw error never reaches it, a refusal does", async () => {
    const [a, b] = [source(), source()];
    const raw = new Error('connect ECONNREFUSED 10.0.0.5:4001');
    const checked = () => {
      throw raw;
    };
    const first = await subscriber(a, checked, 'u1', 'req-a');
    const second = await subscriber(b, checked, 'u1', 'req-b');
    const tick = { n: 1 };
    a.push(tick);
    b.push(tick);
    const [one, two] = await Promise.all([first.next(), second.next()]);
    // The field is null, and its error is the masked one with the subscriber's own request id.
    expect(one.value?.data).toEqual({ tick: { n: 1, checked: null } });
    expect(one.value?.errors?.map((e) => e.message)).toEqual(['Internal server error (req-a)']);
    expect(two.value?.errors?.map((e) => e.message)).toEqual(['Internal server error (req-b)']);
    // Reported as graphql-js located it, at the field, around the raw error.
    expect(faults.map((f) => f.contextValue)).toEqual([
      { caller: { id: 'u1' }, requestId: 'req-a' },
      { caller: { id: 'u1' }, requestId: 'req-b' },
    ]);
    for (const { error } of faults) {
      expect(error).toBeInstanceOf(GraphQLError);
      expect((error as GraphQLError).originalError).toBe(raw);
      expect((error as GraphQLError).path).toEqual(['tick', 'checked']);
    }

    // A refusal a field resolver throws (a GraphQLError of ours, with its code) is left as it is.
    const refusing = source();
    const refusal = new GraphQLError('Sign in to subscribe', {
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const refused = await subscriber(
      refusing,
      () => {
        throw refusal;
      },
      'u2',
      'req-c',
    );
    refusing.push({ n: 2 });
    const { value } = await refused.next();
    expect(value?.errors?.map((e) => e.toJSON())).toEqual([
      {
        message: 'Sign in to subscribe',
        locations: [{ line: 1, column: 25 }],
        path: ['tick', 'checked'],
        extensions: { code: 'UNAUTHENTICATED' },
      },
    ]);
    expect(faults).toHaveLength(2);
  });
});

describe("a subscriber's stream, as graphql-js's own", () => {
  it('ends the source on return, and a next still waiting settles as done', async () => {
    const events = source();
    const stream = await subscriber(events, () => 0);
    const waiting = stream.next();
    expect(await stream.return(undefined)).toEqual({ value: undefined, done: true });
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(events.asked).toEqual(['next', 'return']);
  });

  it("passes the source's GraphQLError on, and reports any other error as a fault of ours", async () => {
    const refusing = source();
    const refused = await subscriber(refusing, () => 0);
    const refusal = new GraphQLError('fell behind', { extensions: { code: 'BAD_USER_INPUT' } });
    refusing.fail(refusal);
    await expect(refused.next()).rejects.toBe(refusal);
    expect(faults).toEqual([]);

    const failing = source();
    const failed = await subscriber(failing, () => 0, 'u2');
    const fault = new Error('connect ECONNREFUSED 10.0.0.5:6379');
    failing.fail(fault);
    await expect(failed.next()).rejects.toThrow(/^Internal server error$/);
    expect(faults).toEqual([{ contextValue: { caller: { id: 'u2' } }, error: fault }]);
  });

  it('reports a GraphQLError made of a raw error (located, its originalError the raw one) as a fault of ours', async () => {
    const failing = source();
    const failed = await subscriber(failing, () => 0, 'u2', 'req-2');
    const raw = new Error('connect ECONNREFUSED 10.0.0.5:6379');
    const located = new GraphQLError(raw.message, { path: ['tick'], originalError: raw });
    failing.fail(located);
    await expect(failed.next()).rejects.toThrow(/^Internal server error \(req-2\)$/);
    expect(faults).toEqual([
      { contextValue: { caller: { id: 'u2' }, requestId: 'req-2' }, error: located },
    ]);

    // A refusal located the same way (its originalError is itself a GraphQLError) is passed on.
    const refusing = source();
    const refused = await subscriber(refusing, () => 0);
    const coded = new GraphQLError('fell behind', { extensions: { code: 'BAD_USER_INPUT' } });
    const locatedRefusal = new GraphQLError(coded.message, {
      path: ['tick'],
      originalError: coded,
      extensions: coded.extensions,
    });
    refusing.fail(locatedRefusal);
    await expect(refused.next()).rejects.toBe(locatedRefusal);
    expect(faults).toHaveLength(1);
  });

  it('ends as done when the source fails to end, reporting that failure (it would close a graphql-ws socket)', async () => {
    const events = source();
    const stream = await subscriber(events, () => 0, 'u1', 'req-1');
    const raw = new Error('UNSUBSCRIBE failed: Connection is closed.');
    events.failToEnd(raw);
    expect(await stream.return(undefined)).toEqual({ value: undefined, done: true });
    expect(events.asked).toEqual(['return']);
    expect(faults).toEqual([
      { contextValue: { caller: { id: 'u1' }, requestId: 'req-1' }, error: raw },
    ]);
  });

  it('ends the source and rejects on throw, when the source cannot take it', async () => {
    const events = source();
    const stream = await subscriber(events, () => 0);
    await expect(stream.throw(new Error('stop'))).rejects.toThrow('stop');
    expect(events.asked).toEqual(['return']);
  });

  it('rejects on throw with what was thrown in, and reports the source failing to end', async () => {
    const events = source();
    const stream = await subscriber(events, () => 0, 'u1', 'req-1');
    const raw = new Error('UNSUBSCRIBE failed: Connection is closed.');
    events.failToEnd(raw);
    await expect(stream.throw(new Error('stop'))).rejects.toThrow('stop');
    expect(events.asked).toEqual(['return']);
    expect(faults).toEqual([
      { contextValue: { caller: { id: 'u1' }, requestId: 'req-1' }, error: raw },
    ]);
  });
});
