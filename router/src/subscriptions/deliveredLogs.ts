/**
 * What one live feed remembers of the logs it has delivered, so that a log seen twice is
 * delivered once per status. Two sources send a log again:
 *
 * - A catch-up from a cursor replays the logs made within LATE_PUBLISH_WINDOW_MS before it, and
 *   the logs newer than it; the cursor is the newest log delivered. So a log delivered live and
 *   made more than that window before the newest one delivered is not replayed, and is forgotten.
 *   The horizon is twice the window, which covers the clocks of two math instances disagreeing
 *   by up to a window. A subscriber who has made thousands of logs thus costs the router a few
 *   entries, not one per log.
 * - Math's backlog (events.ts): the logs it could not publish while Redis was away, published
 *   once it is back, however old. A catch-up after the same outage has delivered them from the
 *   database already. So the logs a catch-up delivered are remembered whatever their age, up to
 *   the limit.
 *
 * `limit` bounds each of the two (the first delivered are forgotten first). Beyond it the feed is
 * at-least-once (README, live feed): the client drops a log it already has by id.
 */

/** A remembered log: the status it was delivered with, and when math made it (ISO-8601 text). */
interface Delivered {
  readonly status: string;
  readonly createdAt: string;
}

/**
 * The horizon of the latest `createdAt` asked for, kept: every subscriber of a user delivers the
 * same event (thousands of feeds in a fan-out), so the date arithmetic is done once per event.
 */
let lastAsked = { createdAt: '', windowMs: 0, horizon: '' };

/** Two windows before `createdAt`, as ISO text; undefined when `createdAt` is not a date. */
function horizonOf(createdAt: string, windowMs: number): string | undefined {
  if (lastAsked.createdAt !== createdAt || lastAsked.windowMs !== windowMs) {
    const horizon = Date.parse(createdAt) - 2 * windowMs;
    if (!Number.isFinite(horizon)) return undefined;
    lastAsked = { createdAt, windowMs, horizon: new Date(horizon).toISOString() };
  }
  return lastAsked.horizon;
}

/** How a log reached the feed. */
export type DeliveredBy = 'live' | 'catch-up';

export class DeliveredLogs {
  /** Delivered live, by id, in the order last delivered: the first are the first to forget. */
  private readonly live = new Map<string, Delivered>();
  /** Delivered by a catch-up, by id, likewise; forgotten only past the limit. */
  private readonly caughtUp = new Map<string, string>();
  /** The `createdAt` of the newest log delivered live, and the horizon it gives (ISO text). */
  private newest = '';
  private horizon = '';

  constructor(
    private readonly windowMs: number,
    private readonly limit: number,
  ) {}

  /** Whether the log was delivered with this status already (and is still remembered). */
  has(id: string, status: string): boolean {
    return (this.live.get(id)?.status ?? this.caughtUp.get(id)) === status;
  }

  /** Whether any status of the log is remembered. */
  knows(id: string): boolean {
    return this.live.has(id) || this.caughtUp.has(id);
  }

  /** How many logs are remembered. */
  get size(): number {
    return this.live.size + this.caughtUp.size;
  }

  /**
   * Remembers a delivered log as the latest delivered, then forgets from the first delivered
   * while they are past the horizon (live ones) or over the limit. (Strings are kept as given:
   * they are the event's own.)
   */
  remember(id: string, status: string, createdAt: string, by: DeliveredBy = 'live'): void {
    this.live.delete(id);
    this.caughtUp.delete(id);
    if (by === 'catch-up') {
      this.caughtUp.set(id, status);
      if (this.caughtUp.size > this.limit)
        this.caughtUp.delete(this.caughtUp.keys().next().value as string);
      return;
    }
    this.live.set(id, { status, createdAt });
    if (createdAt > this.newest) {
      this.newest = createdAt;
      // A text that is not a date leaves the horizon where it was: the limit still bounds.
      this.horizon = horizonOf(createdAt, this.windowMs) ?? this.horizon;
    }
    for (const [first, delivered] of this.live) {
      if (this.live.size <= this.limit && delivered.createdAt >= this.horizon) return;
      this.live.delete(first);
    }
  }
}
