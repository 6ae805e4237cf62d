/**
 * Many graphql-ws subscribers of `logAdded`, all signed in as one account, each noting when
 * every event reaches it. One account because fan-out is the point: one log, N deliveries.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { openRawSocket, type RawSocket } from './rawSocket.js';

const SUBSCRIPTION = 'subscription { logAdded { id createdAt } }';
/** Connections opened at once: enough to be quick, few enough not to overflow the listen backlog. */
const BATCH = 200;

/** Wall-clock time with sub-millisecond precision, comparable with another process's Date.now(). */
export const epochNow = () => performance.timeOrigin + performance.now();

/** When each subscriber received each log, and waits for all of a log's receipts. */
abstract class ReceiptBook {
  private readonly receipts = new Map<string, number[]>();
  /** Each log's createdAt as its events carry it, in epoch milliseconds. */
  private readonly created = new Map<string, number>();
  private readonly waiters = new Map<string, { count: number; resolve: () => void }>();
  protected failure: Error | undefined;

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

  /** A receipt of `id` at `at`; `createdAt` is asked for the log's first receipt only. */
  protected received(id: string, at: number, createdAt: () => string): void {
    if (!this.created.has(id)) this.created.set(id, Date.parse(createdAt()));
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

/** Subscribers on graphql-ws's own client, as an application would open them. */
export class Subscribers extends ReceiptBook {
  private readonly clients: Client[] = [];

  constructor(
    private readonly routerUrl: string,
    private readonly token: string,
  ) {
    super();
  }

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
          if (log) this.received(log.id, at, () => log.createdAt);
        },
        error: (error) => {
          this.failure ??= error instanceof Error ? error : new Error(JSON.stringify(error));
        },
        complete: () => {},
      },
    );
    return connected;
  }
}

/**
 * Where a `next` message of `logAdded { id … }` carries the log's id: the router and the bare
 * server both serialise `id` first, so a receipt is timed and identified without decoding it.
 */
const LOG_ID_MARKER = Buffer.from('"logAdded":{"id":"');
/** Log ids are UUIDs. */
const LOG_ID_LENGTH = 36;

/** The log id a `next` message carries, read without decoding the message. */
export function logIdOf(payload: Buffer): string | undefined {
  const at = payload.indexOf(LOG_ID_MARKER);
  if (at < 0) return undefined;
  const start = at + LOG_ID_MARKER.length;
  return payload.toString('latin1', start, start + LOG_ID_LENGTH);
}

/**
 * The same subscribers as `Subscribers`, on the least WebSocket client that can speak
 * graphql-ws's protocol (rawSocket.ts): each receipt is timed and identified without decoding
 * it (only an id's first receipt is decoded, for its `createdAt`), so the benchmark's process
 * takes as little as it can of the cores the router runs on.
 */
export class RawSubscribers extends ReceiptBook {
  private readonly sockets: RawSocket[] = [];

  constructor(
    private readonly routerUrl: string,
    private readonly token: string,
  ) {
    super();
  }

  get size(): number {
    return this.sockets.length;
  }

  /** Opens connections, subscribed, until there are `total`. */
  async growTo(total: number): Promise<void> {
    while (this.sockets.length < total) {
      const batch = Math.min(BATCH, total - this.sockets.length);
      await Promise.all(Array.from({ length: batch }, () => this.addOne()));
    }
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.close();
    this.sockets.length = 0;
  }

  private async addOne(): Promise<void> {
    let acknowledged: () => void = () => {};
    const ack = new Promise<void>((resolve) => (acknowledged = resolve));
    const socket = await openRawSocket(
      this.routerUrl.replace(/^http/, 'ws'),
      (payload) => {
        const at = epochNow();
        const id = logIdOf(payload);
        if (id !== undefined) {
          this.received(id, at, () => createdAtOf(payload));
          return;
        }
        const message = JSON.parse(payload.toString('utf8')) as { type?: string };
        if (message.type === 'connection_ack') acknowledged();
        else if (message.type === 'ping') socket.sendText('{"type":"pong"}');
        else if (message.type !== 'pong')
          this.failure ??= new Error(`unexpected message: ${payload.toString('utf8')}`);
      },
      'graphql-transport-ws',
    );
    this.sockets.push(socket);
    socket.sendText(
      JSON.stringify({
        type: 'connection_init',
        payload: { authorization: `Bearer ${this.token}` },
      }),
    );
    await ack;
    socket.sendText(
      JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION } }),
    );
  }
}

/** The `createdAt` of the log a `next` message carries. */
export function createdAtOf(payload: Buffer): string {
  const message = JSON.parse(payload.toString('utf8')) as {
    payload: { data: { logAdded: { createdAt: string } } };
  };
  return message.payload.data.logAdded.createdAt;
}
