/**
 * Why a request's work stops before it is done: its caller went away (closed the connection,
 * aborted its fetch, cancelled) or its deadline passed. A request's `signal` (see serviceHost.ts)
 * aborts with one of these, so the work can tell the caller, and its log, what happened.
 */
import { setMaxListeners } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLError } from 'graphql';
import { cancelled, serviceUnavailable } from './errors.js';

/**
 * Milliseconds the router still waits for this subgraph call; a subgraph stops its work in
 * time to answer within it (a computation stopped later would be answered to nobody).
 */
export const DEADLINE_HEADER = 'x-deadline-ms';
/**
 * The same deadline as an instant: the caller's clock (epoch milliseconds) when it stops waiting.
 * `x-deadline-ms` is measured from when this process reads the request, so time the request
 * spent unread (queued in the socket of a process that was frozen or stalled) is not counted;
 * this one is. Only used when it ends sooner, and read with CLOCK_SKEW_ALLOWANCE_MS of slack.
 */
export const DEADLINE_AT_HEADER = 'x-deadline-at';
/** Stop this long before the caller's deadline, so that the refusal still reaches it. */
const DEADLINE_MARGIN_MS = 250;
/** Longest deadline either header may set: a request waits at most this long anyway. */
const LONGEST_DEADLINE_MS = 3_600_000;
/**
 * How far the caller's clock may be from ours before `x-deadline-at` could stop work the caller
 * still waits for: the instant is taken as this much later than it says. Hosts kept by NTP are
 * milliseconds apart, and containers on one host share its clock. With a clock more than this
 * ahead of the caller's, requests would be cancelled before their caller's deadline; a clock
 * behind only makes the header later, never wrong.
 */
export const CLOCK_SKEW_ALLOWANCE_MS = 1_000;

export class CallerGoneError extends Error {
  override name = 'CallerGoneError';
  constructor(message = 'the caller went away before the answer') {
    super(message);
  }
}

export class DeadlinePassedError extends Error {
  override name = 'DeadlinePassedError';
  constructor(ms: number) {
    super(`the caller's deadline of ${ms} ms passed`);
  }
}

/**
 * What a caller is told when its request's signal stopped the work: at the deadline the service
 * keeps short of its caller's (DeadlinePassedError) the caller still waits, and is told
 * SERVICE_UNAVAILABLE with `message` and a wait, so that it may try again; for any other reason
 * the caller is gone, CANCELLED, and no wait is told.
 */
export function stoppedBySignal(
  signal: AbortSignal,
  message: string,
  retryAfterSeconds: number,
): GraphQLError {
  // The deadline's reason stays once set: a caller that went after it (or whose close is read
  // only now, after a freeze) is gone all the same.
  return signal.reason instanceof DeadlinePassedError && !callerGone(signal)
    ? serviceUnavailable(message, retryAfterSeconds)
    : cancelled();
}

function deadlineFrom(headers: IncomingHttpHeaders): number | undefined {
  const value = headers[DEADLINE_HEADER];
  const ms = Number(Array.isArray(value) ? value[0] : value);
  return Number.isInteger(ms) && ms > 0 && ms <= LONGEST_DEADLINE_MS ? ms : undefined;
}

function deadlineAtFrom(headers: IncomingHttpHeaders): number | undefined {
  const value = headers[DEADLINE_AT_HEADER];
  const at = Number(Array.isArray(value) ? value[0] : value);
  // Past the longest deadline it is ignored, not obeyed: Node would cut a timer longer than
  // 2^31 - 1 ms to 1 ms, and warn on stderr for each request.
  return Number.isSafeInteger(at) && at > 0 && at - Date.now() <= LONGEST_DEADLINE_MS
    ? at
    : undefined;
}

/**
 * A signal that aborts when the caller can no longer get the response: its connection ended
 * (the caller closed it; Node's server then ends it too, so no answer could be written) or
 * closed before the response was sent (CallerGoneError), or the caller's deadline passed
 * (`x-deadline-ms`, less a margin so that the refusal still reaches it: DeadlinePassedError;
 * `x-deadline-at`, when that is sooner: the caller has given up, CallerGoneError). Aborted at
 * once for a request read after its caller's deadline, or on a connection already ended.
 *
 * The deadline headers are read only with `callerDeadlines` (the default): a subgraph's caller
 * is the router, which sets them; the router's callers are clients, and a deadline a client
 * chose would only let it turn its own request into a failure.
 *
 * A connection the caller closed while this process did not run (frozen, stalled) has its end
 * queued behind the request, and it is read a turn of the event loop after the request:
 * `pendingCloseRead` waits for that turn.
 */
/** For each request's signal: whether its caller can no longer get the response (`callerGone`). */
const callersGone = new WeakMap<AbortSignal, () => boolean>();
/** For each request's signal with a deadline: when it aborts for it (`abortsAt`). */
const deadlines = new WeakMap<AbortSignal, number>();

/**
 * When the signal of the request will abort for its caller's deadline (epoch milliseconds):
 * `x-deadline-ms` less the margin, or, when sooner, `x-deadline-at` with the clock allowance
 * (the caller has given up by then); undefined when it has none. Work that cannot be done by
 * then is better refused at once, while the caller can still be told to come back, than started
 * and cut off.
 */
export function abortsAt(signal: AbortSignal | undefined): number | undefined {
  return signal ? deadlines.get(signal) : undefined;
}

/**
 * Whether the caller of the request whose signal this is can no longer get its response, asked
 * at the moment it matters (a log row about to say `ok`): its connection ended or closed before
 * the response was sent, or its own deadline has passed (by `x-deadline-at` with the clock
 * allowance, or `x-deadline-ms` without math's margin). Not the signal's abort reason: the
 * signal aborts 250 ms before the caller's deadline (DeadlinePassedError), so that math can still
 * say why, and a caller that gives up after that does not change the reason. For a signal not
 * made by `requestSignal`, its reason decides.
 */
export function callerGone(signal: AbortSignal | undefined): boolean {
  if (!signal) return false;
  const gone = callersGone.get(signal);
  return gone ? gone() : signal.reason instanceof CallerGoneError;
}

export function requestSignal(
  req: IncomingMessage,
  res: ServerResponse,
  { callerDeadlines = true }: { callerDeadlines?: boolean } = {},
): AbortSignal {
  const controller = new AbortController();
  let closedUnanswered = false;
  // Every field of the operation listens to it (a calculation's wait, its pool task), each
  // removing its listener when it settles: 30 aliased fields are 30 listeners, not a leak, and
  // Node's warning past 10 would only fill the log.
  setMaxListeners(0, controller.signal);
  const ms = callerDeadlines ? deadlineFrom(req.headers) : undefined;
  const at = callerDeadlines ? deadlineAtFrom(req.headers) : undefined;
  // Until the caller has given up by its own clock, allowing for the two clocks' difference.
  const givenUpIn = at === undefined ? undefined : at + CLOCK_SKEW_ALLOWANCE_MS - Date.now();
  const socket = req.socket;
  if (givenUpIn !== undefined && givenUpIn <= 0) {
    controller.abort(
      new CallerGoneError(
        `the caller's deadline had passed ${Math.round(-givenUpIn)} ms before the request was read`,
      ),
    );
    return controller.signal;
  }
  if (socket.readableEnded || socket.destroyed) {
    controller.abort(new CallerGoneError());
    return controller.signal;
  }
  const relativeIn = ms === undefined ? undefined : Math.max(0, ms - DEADLINE_MARGIN_MS);
  // The caller's own last moment: whichever of its two deadlines comes first, with no margin.
  const readAt = Date.now();
  const lastMoments = [
    ...(givenUpIn === undefined ? [] : [readAt + givenUpIn]),
    ...(ms === undefined ? [] : [readAt + ms]),
  ];
  const callerGivesUpAt = lastMoments.length > 0 ? Math.min(...lastMoments) : undefined;
  callersGone.set(
    controller.signal,
    () => closedUnanswered || (callerGivesUpAt !== undefined && Date.now() >= callerGivesUpAt),
  );
  let timer: NodeJS.Timeout | undefined;
  if (givenUpIn !== undefined && (relativeIn === undefined || givenUpIn < relativeIn)) {
    timer = setTimeout(
      () => controller.abort(new CallerGoneError(`the caller's deadline passed`)),
      givenUpIn,
    );
    deadlines.set(controller.signal, readAt + givenUpIn);
  } else if (relativeIn !== undefined && ms !== undefined) {
    timer = setTimeout(() => controller.abort(new DeadlinePassedError(ms)), relativeIn);
    deadlines.set(controller.signal, readAt + relativeIn);
  }
  timer?.unref();
  const gone = () => {
    if (res.writableFinished) return;
    closedUnanswered = true;
    controller.abort(new CallerGoneError());
  };
  // The caller half-closed or closed the connection. Node's server (not allowing half-open
  // connections) ends it in turn, so the response cannot be delivered; seen a turn before 'close'.
  socket.once('end', gone);
  res.once('close', () => {
    clearTimeout(timer);
    socket.off('end', gone);
    gone();
  });
  return controller.signal;
}

/**
 * Resolves after the next turn of the event loop has read the sockets: a connection end already
 * received behind a request (its caller gave up while this process was frozen, stalled or
 * busy) has been seen then, and the request's signal aborted. libuv reads a request's bytes and
 * its connection's end in different turns (a read that does not fill its buffer is the last of
 * its turn), so work quick enough to finish within the turn that read the request (a cached
 * answer) would otherwise be done, and logged as answered, before the end is seen. The first
 * `setImmediate` runs at the end of this turn, the second after the next turn's reads.
 */
export function pendingCloseRead(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
