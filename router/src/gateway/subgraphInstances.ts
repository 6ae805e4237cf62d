/**
 * The instances of one subgraph (`AUTH_URL`/`MATH_URL` may list several, comma-separated) as one
 * `SubgraphPost` for the gateway: calls go round-robin over the instances whose `/ready` said
 * yes; an instance whose connection fails is taken out until its `/ready` says yes again, and so
 * is one whose `/ready` says no (draining, or its database is down). While no instance is ready,
 * those that said "not ready" but still answer are used (a draining instance answers until it
 * stops listening); while none of those is left either, the failed ones are still tried (as
 * Envoy's "panic mode" does), since refusing outright would turn one lost connection of a
 * single instance into a second of refused calls, however healthy it is. A call that gets no
 * answer there either is refused with SERVICE_UNAVAILABLE and a retry hint; one that does is
 * a sign the instance is back, and its `/ready` is asked at once.
 *
 * A call whose connection failed before any answer byte, or that an instance answered 408 (it
 * had not read the whole request in time, so never ran it), is tried once more, on another
 * instance when there is one: a draining subgraph never drops a request it has read, so such a
 * call was either never seen, or seen by an instance that died (math commits a log row just
 * before it answers, keyed by the request id, which both attempts carry: the second attempt's
 * write finds the first's row and answers with it instead of adding one).
 *
 * A call an instance of a subgraph that allows it (`resendShutdownRefusals`: math) answered
 * with SHUTDOWN_REFUSAL_HEADER (math: it refused at least one of
 * the call's calculations because it is shutting down, their computation stopped past its
 * shutdown grace or never started) is sent once more, whole, to another instance whose `/ready`
 * says yes, and that answer is the call's, whatever it says (no third attempt). The rule is the
 * subgraph's header, not the errors in the body: the router reads no answer's body here, so a
 * normal answer costs one header lookup, and a call of several root fields of which only some
 * were cut (`a: power(...) b: factorial(...)`) is resent as a whole. That is sound because the
 * subgraph sets the header only when resending the whole request is harmless: math answers
 * queries only, and logs each calculation under the request id (or the client's idempotency
 * key) and its response key, so a field the first attempt answered is logged once (its stored
 * `ok` row stands, and the second attempt answers with it; its result is usually in the shared
 * cache), and a refused field's row is replaced by the second attempt's answer (logWriter.ts).
 * The instance that said it is shutting down counts as not ready from then on (its `/ready`
 * says so too). When no other instance is ready, when less than RESEND_MIN_MS of the call's
 * deadline is left, or when the second attempt gets no answer, a 408 or runs out of time, the
 * first answer is the call's: its
 * refused fields keep SERVICE_UNAVAILABLE with `retryAfterSeconds`, as the caller may resend.
 * (One limit: a field the first attempt answered and the second failed, e.g. at the deadline,
 * reaches the caller as that failure while its log row says `ok`.)
 */
import { DEADLINE_AT_HEADER, DEADLINE_HEADER } from '@microservice-math/shared/cancellation';
import { serviceUnavailable } from '@microservice-math/shared/errors';
import type { Logger } from '@microservice-math/shared/logger';
import { SHUTDOWN_REFUSAL_HEADER } from '@microservice-math/shared/routerContext';
import { isNoAnswer, type SubgraphAnswer, type SubgraphPost } from './subgraphClients.js';

/** HTTP 408 Request Timeout: Node's answer to a request it did not read whole in time. */
const NOT_READ_IN_TIME = 408;

/**
 * The least of a call's deadline that must be left to send a shutdown's refusal on. Math gives a
 * calculation up 250 ms before the router's deadline, and checks it before anything else: a
 * resend with little time left would turn a refusal the caller can send again
 * (SERVICE_UNAVAILABLE, which the web app resends by itself) into COMPUTATION_TIMEOUT, for the
 * fields the first attempt had answered too, and the row its first attempt logged would no
 * longer say what the caller was told.
 */
export const RESEND_MIN_MS = 2_000;

/** How often each instance's `/ready` is asked; also the retry hint when none can answer. */
export const READY_POLL_MS = 1_000;
const READY_TIMEOUT_MS = 2_000;

type State = 'ready' | 'not ready' | 'failed';
/** The order `pick` prefers instances in. */
const ANY_STATE: readonly State[] = ['ready', 'not ready', 'failed'];
const READY_ONLY: readonly State[] = ['ready'];

interface Instance {
  url: string;
  post: SubgraphPost;
  state: State;
  /** Why it is not ready, for `/ready` and the log. */
  reason: string;
  /** Its `/ready` being asked now, so that a burst of answers asks it once. */
  asking?: Promise<void> | undefined;
}

export interface SubgraphInstances {
  readonly name: string;
  post: SubgraphPost;
  /** Throws, naming the instances and why, unless at least one instance is ready. */
  checkReady(): void;
  /** Asks every instance's `/ready` now (the poll does it every READY_POLL_MS). */
  poll(): Promise<void>;
  /** Settles once every instance has been asked at least once (started at construction). */
  readonly firstPoll: Promise<void>;
  close(): void;
}

export interface SubgraphInstancesOptions {
  /** The deadline of a call, both attempts together. */
  timeoutMs: number;
  logger: Logger;
  /** How often each instance's `/ready` is asked; READY_POLL_MS unless a test says. */
  pollMs?: number;
  /**
   * Whether an answer with SHUTDOWN_REFUSAL_HEADER is sent on to another instance: only for a
   * subgraph whose every operation can be sent twice (math: queries, logged once per request id
   * and response key). Whether it can is the subgraph's to know, so the router asks it by name.
   */
  resendShutdownRefusals?: boolean;
}

export function subgraphInstances(
  name: string,
  urls: string[],
  clientFor: (url: string) => SubgraphPost,
  {
    timeoutMs,
    logger,
    pollMs = READY_POLL_MS,
    resendShutdownRefusals = false,
  }: SubgraphInstancesOptions,
): SubgraphInstances {
  // Unknown until the first poll: assumed ready, so a router that starts first serves at once.
  const instances: Instance[] = urls.map((url) => ({
    url,
    post: clientFor(url),
    state: 'ready',
    reason: '',
  }));
  let next = 0;

  function setState(instance: Instance, state: State, reason: string): void {
    // At warn when it stops being ready: a router started with a wrong AUTH_URL or MATH_URL says
    // so at once, instead of only in its /ready answer.
    if (instance.state !== state)
      logger[state === 'ready' ? 'info' : 'warn'](
        { subgraph: name, url: instance.url, state, reason },
        'subgraph instance',
      );
    instance.state = state;
    instance.reason = reason;
  }

  /**
   * The next instance round-robin, other than `except`: a ready one, else a draining one, else a
   * failed one (or only of the states `among`).
   */
  function pick(except?: Instance, among: readonly State[] = ANY_STATE): Instance | undefined {
    for (const wanted of among) {
      for (let i = 0; i < instances.length; i++) {
        const instance = instances[(next + i) % instances.length] as Instance;
        if (instance.state !== wanted || instance === except) continue;
        next = (next + i + 1) % instances.length;
        return instance;
      }
    }
    return undefined;
  }

  function refuse(): never {
    const error = serviceUnavailable(
      `The ${name} subgraph is unreachable: no instance of it is available`,
      Math.ceil(READY_POLL_MS / 1000),
    );
    error.extensions['serviceName'] = name;
    throw error;
  }

  /**
   * A failed instance that answers a call (tried because no other was left) is back: its
   * `/ready` is asked at once, so the router's own `/ready` need not wait for the next poll.
   */
  function answered(instance: Instance): void {
    if (instance.state === 'failed')
      instance.asking ??= pollOne(instance).finally(() => (instance.asking = undefined));
  }

  const post: SubgraphPost = async (headers, body, options = {}) => {
    const first = pick() ?? refuse();
    // Both attempts end when the first alone would have.
    const deadlineAt = options.deadlineAt ?? performance.now() + timeoutMs;
    const send = (instance: Instance) =>
      instance.post(withDeadline(headers, deadlineAt), body, { ...options, deadlineAt });
    try {
      const answer = await send(first);
      answered(first);
      if (answer.status !== NOT_READ_IN_TIME) {
        if (!resendShutdownRefusals || answer.headers[SHUTDOWN_REFUSAL_HEADER] === undefined)
          return answer;
        return await elsewhere(first, answer, send, deadlineAt);
      }
      // 408: the instance gave up reading the request (Node's request timeout, its event loop
      // stalled past it): it never ran it, so it is sent once more like a call with no answer,
      // but the instance, which did answer, is not failed for it.
    } catch (error) {
      if (!isNoAnswer(error)) throw error;
      setState(first, 'failed', (error as { code?: string }).code ?? 'connection failed');
    }
    // Once, on another instance when there is one (else on a fresh connection to the same).
    const second = pick(first) ?? first;
    try {
      const answer = await send(second);
      answered(second);
      return answer;
    } catch (again) {
      if (!isNoAnswer(again)) throw again;
      // Twice no answer: nothing was done, and the caller may try again shortly.
      setState(second, 'failed', (again as { code?: string }).code ?? 'connection failed');
      return refuse();
    }
  };

  /**
   * A call `first` answered with refusals for its shutdown: sent once more, to another ready
   * instance, within the call's deadline; `refused` stands when that cannot be done.
   */
  async function elsewhere(
    first: Instance,
    refused: SubgraphAnswer,
    send: (instance: Instance) => Promise<SubgraphAnswer>,
    deadlineAt: number,
  ): Promise<SubgraphAnswer> {
    if (first.state === 'ready') setState(first, 'not ready', 'shutting down');
    const second = pick(first, READY_ONLY);
    if (!second || deadlineAt - performance.now() < RESEND_MIN_MS) return refused;
    try {
      const answer = await send(second);
      answered(second);
      // Not read in time, so not run: the caller is told what the first said.
      if (answer.status === NOT_READ_IN_TIME) return refused;
      if (answer.headers[SHUTDOWN_REFUSAL_HEADER] !== undefined)
        setState(second, 'not ready', 'shutting down');
      return answer;
    } catch (error) {
      if (isNoAnswer(error)) {
        setState(second, 'failed', (error as { code?: string }).code ?? 'connection failed');
        return refused;
      }
      // The deadline passed on the second attempt: the caller is told what the first said (send
      // the calculation again), which is what its log row says too.
      if ((error as { name?: unknown } | null)?.name === 'TimeoutError') return refused;
      throw error; // the caller went away, or a fault of ours
    }
  }

  async function pollOne(instance: Instance): Promise<void> {
    try {
      const response = await fetch(new URL('/ready', instance.url), {
        signal: AbortSignal.timeout(READY_TIMEOUT_MS),
      });
      await response.body?.cancel();
      if (response.ok) setState(instance, 'ready', '');
      else if (instance.state !== 'failed')
        setState(instance, 'not ready', `/ready answered HTTP ${response.status}`);
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      // Refused or reset: gone. A slow answer only means busy (a long bcrypt hash, a loaded
      // machine): kept as a fallback, not removed.
      if (code) setState(instance, 'failed', code);
      else if (instance.state === 'ready') setState(instance, 'not ready', (error as Error).name);
    }
  }

  const poll = () => Promise.all(instances.map(pollOne)).then(() => undefined);
  // Calls are not held back for it, but `/ready` is: it must not report the assumed state.
  const firstPoll = poll();
  let polling: Promise<void> | undefined;
  const timer = setInterval(() => {
    polling ??= poll().finally(() => (polling = undefined));
  }, pollMs);
  timer.unref();

  return {
    name,
    post,
    poll,
    firstPoll,
    checkReady() {
      if (instances.some((instance) => instance.state === 'ready')) return;
      const why = instances.map((instance) => `${instance.url}: ${instance.reason}`).join('; ');
      const gone = instances.every((instance) => instance.state === 'failed');
      throw new Error(
        `${name} subgraph ${gone ? 'is unreachable' : 'has no ready instance'} (${why})`,
      );
    },
    close() {
      clearInterval(timer);
    },
  };
}

/**
 * Tells the subgraph how long the router still waits, so it stops its work in time: as a
 * duration, and as the instant by the router's clock, which also counts the time the request
 * waits unread at the subgraph (see cancellation.ts).
 */
function withDeadline(headers: Record<string, string>, deadlineAt: number) {
  const ms = Math.max(1, Math.floor(deadlineAt - performance.now()));
  return {
    ...headers,
    [DEADLINE_HEADER]: String(ms),
    [DEADLINE_AT_HEADER]: String(Date.now() + ms),
  };
}
