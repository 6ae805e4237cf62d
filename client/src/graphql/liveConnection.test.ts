// @vitest-environment node
/**
 * The live connection against a real graphql-ws server over a real socket: what it presents,
 * how it reports its state, and what it does when the server drops or refuses it.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { execute, gql } from '@apollo/client/core';
import type * as graphql from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { watch } from 'vue';
import { waitFor } from '../../../tests/support/waitFor';
import { WebSocket, WebSocketServer } from 'ws';
import { createLiveConnection, webSocketUrl, type LiveConnection } from './liveConnection';

const TickSubscription = gql`
  subscription Tick {
    tick
  }
`;

// The graphql-ws server runs unbundled and loads graphql's CommonJS build; Vite would give this
// file the ESM build, a second copy whose schema the server could not use. Share the server's.
const { GraphQLObjectType, GraphQLSchema, GraphQLString } = createRequire(import.meta.url)(
  'graphql',
) as typeof graphql;

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      tick: {
        type: GraphQLString,
        subscribe: async function* () {
          yield { tick: 'first' };
          await new Promise(() => {});
        },
      },
    },
  }),
});

interface Harness {
  url: string;
  server: WebSocketServer;
  authorizations: unknown[];
  /** Refuse connections (graphql-ws then closes with 4403 Forbidden). */
  refuse: boolean;
  /** How long the server takes to accept or refuse a connection. */
  decisionDelayMs: number;
  /** Connections accepted or refused so far. */
  decisions: number;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(): Promise<Harness> {
  const server = new WebSocketServer({ port: 0, path: '/graphql' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const harness: Harness = {
    url: `ws://127.0.0.1:${port}/graphql`,
    server,
    authorizations: [],
    refuse: false,
    decisionDelayMs: 0,
    decisions: 0,
  };
  const disposable = useServer(
    {
      schema,
      onConnect: async (context) => {
        harness.authorizations.push(context.connectionParams?.['authorization']);
        await new Promise((resolve) => setTimeout(resolve, harness.decisionDelayMs));
        harness.decisions++;
        return !harness.refuse;
      },
    },
    server,
  );
  cleanups.push(async () => {
    await disposable.dispose();
    await new Promise((resolve) => server.close(resolve));
  });
  return harness;
}

function connect(url: string, token: () => string | null, onRefused = vi.fn()): LiveConnection {
  const live = createLiveConnection({ url, token, onRefused, webSocketImpl: WebSocket });
  cleanups.push(() => live.reset());
  return live;
}

/**
 * A server that acknowledges each connection and refuses each subscription as the router refuses
 * a rate-limited one (an `error` message), speaking the protocol by hand.
 */
async function startRefusingServer(): Promise<{ url: string }> {
  const server = new WebSocketServer({ port: 0, path: '/graphql' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  server.on('connection', (socket) =>
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; id?: string };
      if (message.type === 'connection_init')
        socket.send(JSON.stringify({ type: 'connection_ack' }));
      if (message.type === 'subscribe') {
        const payload = [
          {
            message: 'Too many requests; try again in 1 s',
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 1 },
          },
        ];
        socket.send(JSON.stringify({ id: message.id, type: 'error', payload }));
      }
    }),
  );
  cleanups.push(async () => {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
}

function subscribe(live: LiveConnection, query = TickSubscription) {
  const received: unknown[] = [];
  const errors: unknown[] = [];
  const subscription = execute(live.link, { query }).subscribe({
    next: (result) => received.push(result.data),
    error: (error) => errors.push(error),
  });
  cleanups.push(() => subscription.unsubscribe());
  return { received, errors };
}

describe('createLiveConnection', () => {
  it('presents the bearer token in connectionParams and reports itself live', async () => {
    const harness = await startServer();
    const live = connect(harness.url, () => 'token-1');
    expect(live.status.value).toBe('offline');

    const { received } = subscribe(live);

    await waitFor(() => expect(received).toEqual([{ tick: 'first' }]));
    expect(harness.authorizations).toEqual(['Bearer token-1']);
    expect(live.status.value).toBe('live');
  });

  it('reports offline when the socket drops, reconnects, and tells listeners to catch up', async () => {
    const harness = await startServer();
    const live = connect(harness.url, () => 'token-1');
    const reconnected = vi.fn();
    live.onReconnect(reconnected);
    const { received } = subscribe(live);
    await waitFor(() => expect(live.status.value).toBe('live'));

    for (const socket of harness.server.clients) socket.terminate();
    await waitFor(() => expect(live.status.value).not.toBe('live'));

    await waitFor(() => expect(reconnected).toHaveBeenCalledOnce());
    expect(live.status.value).toBe('live');
    // The subscription itself was resumed on the new socket.
    await waitFor(() => expect(received).toHaveLength(2));
  });

  it('reports idle, not offline, when the socket closes because its only subscription was refused', async () => {
    // graphql-ws reads the global WebSocket's constants when it handles an `error` message.
    vi.stubGlobal('WebSocket', WebSocket);
    cleanups.push(() => void vi.unstubAllGlobals());
    const { url } = await startRefusingServer();
    const live = connect(url, () => 'token-1');
    const { errors } = subscribe(live);

    await waitFor(() => expect(errors).toHaveLength(1));
    // graphql-ws closes a socket left with no subscription: nothing is down, nothing is retried.
    await waitFor(() => expect(live.status.value).toBe('idle'));
    expect(live.nextRetryAt.value).toBeNull();

    // The next subscription opens a new socket.
    const again = subscribe(live);
    await waitFor(() => expect(again.errors).toHaveLength(1));
  });

  it('schedules each reconnection at most 5 s ahead, and starts it at once on retryNow', async () => {
    const harness = await startServer();
    const live = connect(harness.url, () => 'token-1');
    const reconnected = vi.fn();
    live.onReconnect(reconnected);
    subscribe(live);
    await waitFor(() => expect(live.status.value).toBe('live'));

    for (const socket of harness.server.clients) socket.terminate();
    await waitFor(() => expect(live.nextRetryAt.value).not.toBeNull());
    expect((live.nextRetryAt.value ?? 0) - Date.now()).toBeLessThanOrEqual(5_000);
    live.retryNow();
    expect(live.nextRetryAt.value).toBeNull();
    await waitFor(() => expect(reconnected).toHaveBeenCalledOnce());
  });

  it('gives up and reports a refusal when the server closes with 4403', async () => {
    const harness = await startServer();
    harness.refuse = true;
    const onRefused = vi.fn();
    const live = connect(harness.url, () => 'stale-token', onRefused);
    const { errors } = subscribe(live);

    await waitFor(() => expect(onRefused).toHaveBeenCalledWith(4403));
    await waitFor(() => expect(errors).toHaveLength(1));
    expect(live.status.value).toBe('offline');
    expect(harness.authorizations).toHaveLength(1);
  });

  it('reconnects with the renewed token when the server refuses the one it connected with', async () => {
    const harness = await startServer();
    let token = 'token-1';
    const onRefused = vi.fn();
    const live = connect(harness.url, () => token, onRefused);
    const { received } = subscribe(live);
    await waitFor(() => expect(live.status.value).toBe('live'));

    // The session renewed its token; then the server ends the socket of the old one.
    token = 'token-2';
    for (const socket of harness.server.clients) socket.close(4403, 'Forbidden');

    // The reconnect waits out its backoff (from 0.5 s, with jitter).
    await waitFor(() =>
      expect(harness.authorizations).toEqual(['Bearer token-1', 'Bearer token-2']),
    );
    await waitFor(() => expect(received).toHaveLength(2));
    expect(onRefused).not.toHaveBeenCalled();
  });

  it('restarts with a renewed token at once, staying live all along', async () => {
    const harness = await startServer();
    let token = 'token-1';
    const live = connect(harness.url, () => token);
    const { received } = subscribe(live);
    await waitFor(() => expect(received).toHaveLength(1));
    const changes: unknown[] = [];
    watch([live.status, live.nextRetryAt], (change) => changes.push(change), { flush: 'sync' });

    // The session renewed its token.
    token = 'token-2';
    live.restart();

    await waitFor(() => expect(received).toHaveLength(2));
    expect(harness.authorizations).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(changes).toEqual([]);
    expect(live.status.value).toBe('live');
  });

  it('restarts again when the token is renewed while a restart awaits its acknowledgement', async () => {
    const harness = await startServer();
    let token = 'token-1';
    const live = connect(harness.url, () => token);
    const { received } = subscribe(live);
    await waitFor(() => expect(received).toHaveLength(1));
    harness.decisionDelayMs = 100;

    token = 'token-2';
    live.restart();
    // The reconnect has presented token-2; the server has not acknowledged it yet.
    await waitFor(() => expect(harness.authorizations).toHaveLength(2));
    expect(harness.decisions).toBe(1);
    token = 'token-3';
    live.restart();

    await waitFor(() =>
      expect(harness.authorizations).toEqual([
        'Bearer token-1',
        'Bearer token-2',
        'Bearer token-3',
      ]),
    );
    await waitFor(() => expect(harness.decisions).toBe(3));
    expect(live.status.value).toBe('live');
  });

  it('reports idle when the last subscription ends during a restart, and a new one connects afresh', async () => {
    const harness = await startServer();
    let token = 'token-1';
    const live = connect(harness.url, () => token);
    const reconnected = vi.fn();
    live.onReconnect(reconnected);
    const subscription = execute(live.link, { query: TickSubscription }).subscribe({});
    await waitFor(() => expect(live.status.value).toBe('live'));

    token = 'token-2';
    live.restart();
    subscription.unsubscribe();

    await waitFor(() => expect(live.status.value).toBe('idle'));

    // The next subscription opens a new connection: a first one, nothing to catch up.
    const statuses: unknown[] = [];
    watch(live.status, (status) => statuses.push(status), { flush: 'sync' });
    const { received } = subscribe(live);
    await waitFor(() => expect(received).toHaveLength(1));
    expect(statuses).toEqual(['connecting', 'live']);
    expect(reconnected).not.toHaveBeenCalled();
  });

  it('reports idle when the last subscription ends as a restart is about to reconnect', async () => {
    const harness = await startServer();
    let token = 'token-1';
    const live = connect(harness.url, () => token);
    const subscription = execute(live.link, { query: TickSubscription }).subscribe({});
    await waitFor(() => expect(live.status.value).toBe('live'));
    // The feed unmounts after the restarted socket has closed, before it connects again.
    live.onResubscribe(() => subscription.unsubscribe());

    token = 'token-2';
    live.restart();

    await waitFor(() => expect(live.status.value).toBe('idle'));
    expect(harness.authorizations).toEqual(['Bearer token-1']);
  });

  it('reports idle when the last subscription ends while the socket waits to reconnect', async () => {
    const harness = await startServer();
    const live = connect(harness.url, () => 'token-1');
    const subscription = execute(live.link, { query: TickSubscription }).subscribe({});
    await waitFor(() => expect(live.status.value).toBe('live'));

    for (const socket of harness.server.clients) socket.terminate();
    await waitFor(() => expect(live.nextRetryAt.value).not.toBeNull());
    expect(live.status.value).toBe('offline');
    // The feed unmounts during the wait; the wait then ends.
    subscription.unsubscribe();
    live.retryNow();

    await waitFor(() => expect(live.status.value).toBe('idle'));
    expect(harness.authorizations).toEqual(['Bearer token-1']);

    // The next subscription connects at once, not after another back-off shown idle.
    const statuses: unknown[] = [];
    watch(live.status, (status) => statuses.push(status), { flush: 'sync' });
    const { received } = subscribe(live);
    expect(statuses).toEqual(['connecting']);
    expect(live.nextRetryAt.value).toBeNull();
    await waitFor(() => expect(received).toHaveLength(1));
    expect(statuses).toEqual(['connecting', 'live']);
  });

  it('can be reset while a refused connection attempt is still pending', async () => {
    const harness = await startServer();
    harness.refuse = true;
    harness.decisionDelayMs = 100;
    const live = connect(harness.url, () => 'stale-token');
    subscribe(live);
    await waitFor(() => expect(harness.authorizations).toHaveLength(1));

    live.reset();

    // An unhandled rejection from the abandoned socket would fail this test file: wait until the
    // server has refused it and the closing handshake is over.
    await waitFor(() => {
      expect(harness.decisions).toBe(1);
      expect(harness.server.clients.size).toBe(0);
    });
    expect(live.status.value).toBe('offline');
  });

  it('opens a new socket with the new token after reset', async () => {
    const harness = await startServer();
    let token = 'first-session';
    const live = connect(harness.url, () => token);
    subscribe(live);
    await waitFor(() => expect(live.status.value).toBe('live'));

    live.reset();
    expect(live.status.value).toBe('offline');
    token = 'second-session';
    subscribe(live);

    await waitFor(() => expect(live.status.value).toBe('live'));
    expect(harness.authorizations).toEqual(['Bearer first-session', 'Bearer second-session']);
  });
});

describe('webSocketUrl', () => {
  it("follows the page's scheme and host", () => {
    expect(webSocketUrl({ protocol: 'http:', host: 'localhost:8501' }, '/graphql')).toBe(
      'ws://localhost:8501/graphql',
    );
    expect(webSocketUrl({ protocol: 'https:', host: 'math.example' }, '/graphql')).toBe(
      'wss://math.example/graphql',
    );
  });
});
