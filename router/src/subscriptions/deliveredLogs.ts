/**
 * What one live feed remembers of the logs it has delivered, so that a log seen twice (from a
 * catch-up and live, or published again) is delivered once per status.
 *
 * Only the logs a catch-up could send again need remembering. A catch-up from a cursor replays
 * the logs made within LATE_PUBLISH_WINDOW_MS before it, and the logs newer than it; the cursor is
 * the newest log delivered. So a log made more than that window before the newest one delivered
 * is not replayed, and is forgotten. The horizon is twice the window, which covers the clocks of
 * two math instances disagreeing by up to a window. A subscriber who has made thousands of logs
 * thus costs the router a few entries, not one per log.
 *
 * `limit` still bounds the memory of a caller who makes many logs within the horizon: the ones
 * delivered first are forgotten first. The feed is at-least-once beyond that (README, live feed):
 * the client drops a log it already has by id.
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

export class DeliveredLogs {
  /** By id, in the order last delivered: the first entries are the first to forget. */
  private readonly byId = new Map<string, Delivered>();
  /** The `createdAt` of the newest log remembered, and the horizon it gives (both ISO text). */
  private newest = '';
  private horizon = '';

  constructor(
    private readonly windowMs: number,
    private readonly limit: number,
  ) {}

  /** Whether the log was delivered with this status already (and is still remembered). */
  has(id: string, status: string): boolean {
    return this.byId.get(id)?.status === status;
  }

  /** Whether any status of the log is remembered. */
  knows(id: string): boolean {
    return this.byId.has(id);
  }

  /** How many logs are remembered. */
  get size(): number {
    return this.byId.size;
  }

  /**
   * Remembers a delivered log as the latest delivered, then forgets from the first delivered
   * while they are past the horizon or over the limit. (Strings are kept as given: they are the
   * event's own.)
   */
  remember(id: string, status: string, createdAt: string): void {
    this.byId.delete(id);
    this.byId.set(id, { status, createdAt });
    if (createdAt > this.newest) {
      this.newest = createdAt;
      // A text that is not a date leaves the horizon where it was: the limit still bounds.
      this.horizon = horizonOf(createdAt, this.windowMs) ?? this.horizon;
    }
    for (const [first, delivered] of this.byId) {
      if (this.byId.size <= this.limit && delivered.createdAt >= this.horizon) return;
      this.byId.delete(first);
    }
  }
}
