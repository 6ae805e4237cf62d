/**
 * Why a request's work stops before it is done: its caller went away (closed the connection,
 * aborted its fetch, cancelled) or its deadline passed. A request's `signal` (see serviceHost.ts)
 * aborts with one of these, so the work can tell the caller, and its log, what happened.
 */
import { setMaxListeners } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/**
 * Milliseconds the router still waits for this subgraph call; a subgraph stops its work in
 * time to answer within it (a computation stopped later would be answered to nobody).
 */
export const DEADLINE_HEADER = 'x-deadline-ms';
/** Stop this long before the caller's deadline, so that the refusal still reaches it. */
const DEADLINE_MARGIN_MS = 250;

export class CallerGoneError extends Error {
  override name = 'CallerGoneError';
  constructor() {
    super('the caller went away before the answer');
  }
}

export class DeadlinePassedError extends Error {
  override name = 'DeadlinePassedError';
  constructor(ms: number) {
    super(`the caller's deadline of ${ms} ms passed`);
  }
}

function deadlineFrom(headers: IncomingHttpHeaders): number | undefined {
  const value = headers[DEADLINE_HEADER];
  const ms = Number(Array.isArray(value) ? value[0] : value);
  return Number.isInteger(ms) && ms > 0 && ms <= 3_600_000 ? ms : undefined;
}

/**
 * A signal that aborts when the response's connection closes before the response was sent
 * (CallerGoneError), or when the deadline the caller sent has passed (DeadlinePassedError).
 */
export function requestSignal(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  // Every field of the operation listens to it (a calculation's wait, its pool task), each
  // removing its listener when it settles: 30 aliased fields are 30 listeners, not a leak, and
  // Node's warning past 10 would only fill the log.
  setMaxListeners(0, controller.signal);
  const ms = deadlineFrom(req.headers);
  const timer =
    ms === undefined
      ? undefined
      : setTimeout(
          () => controller.abort(new DeadlinePassedError(ms)),
          Math.max(0, ms - DEADLINE_MARGIN_MS),
        );
  timer?.unref();
  res.once('close', () => {
    clearTimeout(timer);
    if (!res.writableFinished) controller.abort(new CallerGoneError());
  });
  return controller.signal;
}
