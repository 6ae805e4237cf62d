/**
 * Many graphql-ws subscribers of `logAdded`, all signed in as one account, each noting when
 * every event reaches it. One account because fan-out is the point: one log, N deliveries.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

const SUBSCRIPTION = 'subscription { logAdded { id createdAt } }';
/** Connections opened at once: enough to be quick, few enough not to overflow the listen backlog. */
const BATCH = 200;

/**
 * Wall-clock time as every process reads it, to compare with a time another process took
 * (a log's `createdAt`). Not `performance.timeOrigin + performance.now()`: that is this process's
 * start plus a monotonic clock, and drifts from Date.now() while the system clock is being slewed
 * (NTP): by 0.6% on this machine on 2026-12-07, hundreds of milliseconds over a run, which gave
 * negative delivery times. Whole milliseconds, against deliveries of tens.
 */
export const epochNow = () => Date.now();

export class Subscribers {
  private readonly clients: Client[] = [];
  private readonly receipts = new Map<string, number[]>();
  /** Each log's createdAt as its events carry it, in epoch milliseconds. */
  private readonly created = new Map<string, number>();
  private readonly waiters = new Map<string, { count: number; resolve: () => void }>();
  private failure: Error | undefined;

  constructor(
    private readonly routerUrl: string,
    private readonly token: string,
  ) {}

  get size(): number {
    return this.clients.length;
  }

  /** Opens connections, subscribed, until there are `total`. */
  async growTo(total: number): Promise<void> {
    while (this.clients.length < total) {
      const batch = Math.min(BATCH, total - this.clients.length);
      await Promise.all(Array.from({ length: batch }, () => this.addOne()));
    }
    if (this.failure) throw this.failure;
  }

  /**
   * When each subscriber received the log `id` (once all `count` have, or a timeout), and the
   * log's `createdAt` as the event carried it.
   */
  async receiptsOf(
    id: string,
    count: number,
    timeoutMs: number,
  ): Promise<{ receivedAt: number[]; createdAt: number }> {
    const arrived = this.receipts.get(id)?.length ?? 0;
    if (arrived < count) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.waiters.delete(id);
          const got = this.receipts.get(id)?.length ?? 0;
          reject(
            new Error(`log ${id}: ${got} of ${count} subscribers received it in ${timeoutMs} ms`),
          );
        }, timeoutMs);
        this.waiters.set(id, {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
    if (this.failure) throw this.failure;
    return { receivedAt: this.receipts.get(id) ?? [], createdAt: this.created.get(id) as number };
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.dispose()));
    this.clients.length = 0;
  }

  private addOne(): Promise<void> {
    const client = createClient({
      url: this.routerUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${this.token}` },
      retryAttempts: 0,
      lazy: true,
    });
    this.clients.push(client);
    const connected = new Promise<void>((resolve) => {
      const off = client.on('connected', () => {
        off();
        resolve();
      });
    });
    client.subscribe<{ logAdded: { id: string; createdAt: string } }>(
      { query: SUBSCRIPTION },
      {
        next: (value) => {
          const at = epochNow();
          const log = value.data?.logAdded;
          if (log) this.received(log.id, at, log.createdAt);
        },
        error: (error) => {
          this.failure ??= error instanceof Error ? error : new Error(JSON.stringify(error));
        },
        complete: () => {},
      },
    );
    return connected;
  }

  private received(id: string, at: number, createdAt: string): void {
    if (!this.created.has(id)) this.created.set(id, Date.parse(createdAt));
    const times = this.receipts.get(id) ?? [];
    times.push(at);
    this.receipts.set(id, times);
    const waiter = this.waiters.get(id);
    if (waiter && times.length >= waiter.count) {
      this.waiters.delete(id);
      waiter.resolve();
    }
  }
}
