/** Speaking GraphQL to a running server over real HTTP and graphql-ws, as any client would. */
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { metricValue, scrapeMetrics } from './metrics.js';
import { waitFor } from './waitFor.js';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{
    message: string;
    path?: (string | number)[];
    extensions?: Record<string, unknown>;
  }>;
  headers: Headers;
}

export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: { data?: T | null; errors?: GraphQLResponse['errors'] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`not JSON (HTTP ${response.status}): ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, ...body };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface Account {
  token: string;
  id: string;
}

/** Registers an account through the router; throws with the errors if it was refused. */
export async function signUp(
  routerUrl: string,
  username: string,
  password = 'long-password',
): Promise<Account> {
  const result = await gql<{ register: { token: string; user: { id: string } } }>(
    routerUrl,
    'mutation($u: String!, $p: String!) { register(username: $u, password: $p) { token user { id } } }',
    { u: username, p: password },
  );
  if (!result.data) throw new Error(`register ${username}: ${JSON.stringify(result.errors)}`);
  return { token: result.data.register.token, id: result.data.register.user.id };
}

/** A graphql-ws client of the router at `httpUrl`; `options` beyond these (e.g. `generateID`). */
export function wsClient(
  httpUrl: string,
  token?: string,
  options: Omit<ClientOptions, 'url'> = {},
): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
    ...options,
  });
}

/**
 * A graphql-sse stream of one operation (the router's distinct-connections mode, at
 * `/graphql/stream`), signed in with `token`.
 */
export function eventStream(
  routerUrl: string,
  token: string,
  operation: string | { query: string; variables?: Record<string, unknown> },
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${routerUrl}/stream`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify(typeof operation === 'string' ? { query: operation } : operation),
    ...(signal ? { signal } : {}),
  });
}

/** Collects the events of one subscription until `count` have arrived (or the timeout). */
export function collect<T>(client: Client, query: string, count: number, timeoutMs = 10_000) {
  const events: Array<{ data?: T | null; errors?: unknown }> = [];
  let unsubscribe: () => void = () => {};
  const done = new Promise<typeof events>((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`got ${events.length} of ${count} events in ${timeoutMs} ms`));
    }, timeoutMs);
    unsubscribe = client.subscribe<T>(
      { query },
      {
        next: (value) => {
          events.push(value as (typeof events)[number]);
          if (events.length >= count) {
            clearTimeout(timer);
            unsubscribe();
            resolve(events);
          }
        },
        error: (error) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: () => {},
      },
    );
  });
  return { done, events, stop: () => unsubscribe() };
}

/** Resolves once the client has connected and acknowledged (so a subscription is in place soon after). */
export function connected(client: Client): Promise<void> {
  return new Promise((resolve) => {
    const off = client.on('connected', () => {
      off();
      resolve();
    });
  });
}

/** Subscribes to logAdded and resolves with the code the server closes the socket with. */
export async function closeCode(client: Client): Promise<number> {
  return (await closeEvent(client)).code;
}

/** Like `closeCode`, with the close's reason. */
export function closeEvent(client: Client): Promise<{ code: number; reason: string }> {
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    client.on('closed', (event) => {
      const { code, reason } = event as { code: number; reason: string };
      resolve({ code, reason });
    }),
  );
  client.subscribe(
    { query: 'subscription { logAdded { id } }' },
    { next: () => {}, error: () => {}, complete: () => {} },
  );
  return closed;
}

/**
 * Resolves once the router at `routerUrl` counts at least `count` open subscriptions (its
 * `router_active_subscriptions` gauge): graphql-ws acknowledges the connection before a
 * subscription reaches the event bus, so events published before this may be missed.
 */
export async function subscriptionsOpen(routerUrl: string, count: number): Promise<void> {
  await waitFor(async () =>
    expect(
      metricValue(await scrapeMetrics(routerUrl), 'router_active_subscriptions'),
    ).toBeGreaterThanOrEqual(count),
  );
}
