/**
 * The WebSocket side of the app: one graphql-ws client per session, its state for the live
 * indicator, and a hook for views that must catch up after a reconnect (events published while
 * the socket was down are not replayed). The token is read when the socket connects, so a new
 * session gets a new socket: `reset()` closes the old one.
 */
import { ApolloLink, Observable } from '@apollo/client/core';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient, type Client } from 'graphql-ws';
import { inject, readonly, shallowRef, type InjectionKey, type Ref } from 'vue';

export type LiveStatus = 'connecting' | 'live' | 'offline';

/** Close codes by which the server refuses the connection's credentials. */
export const REFUSED_CLOSE_CODES: ReadonlySet<number> = new Set([4401, 4403]);

/** Reconnection backs off exponentially up to this, plus up to a second of jitter. */
const LONGEST_RETRY_WAIT_MS = 10_000;

export interface LiveConnectionOptions {
  /** ws(s)://host/graphql */
  url: string;
  /** The bearer token to present, or null when signed out. */
  token: () => string | null;
  /** Called when the server closes the socket with a refused-credentials code. */
  onRefused: (closeCode: number) => void;
  /** For tests; the browser's WebSocket otherwise. */
  webSocketImpl?: unknown;
}

export interface LiveConnection {
  readonly status: Readonly<Ref<LiveStatus>>;
  /** The Apollo link that carries subscriptions over the current socket. */
  readonly link: ApolloLink;
  /** Runs `listener` each time the socket connects again after a drop; returns an unsubscribe. */
  onReconnect(listener: () => void): () => void;
  /** Closes the socket; the next subscription opens a new one with the token of that moment. */
  reset(): void;
}

interface Socket {
  client: Client;
  link: GraphQLWsLink;
}

export function createLiveConnection(options: LiveConnectionOptions): LiveConnection {
  const status = shallowRef<LiveStatus>('offline');
  const reconnectListeners = new Set<() => void>();
  let socket: Socket | undefined;

  function open(): Socket {
    let connectedBefore = false;
    const client: Client = createClient({
      url: options.url,
      webSocketImpl: options.webSocketImpl,
      connectionParams: () => {
        const token = options.token();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      retryAttempts: Infinity,
      retryWait: (retries) =>
        new Promise((resolve) =>
          setTimeout(
            resolve,
            Math.min(1000 * 2 ** retries, LONGEST_RETRY_WAIT_MS) + Math.random() * 1000,
          ),
        ),
      shouldRetry: (event) => !(isCloseEvent(event) && REFUSED_CLOSE_CODES.has(event.code)),
      on: {
        connecting: () => setStatus(client, 'connecting'),
        connected: () => {
          setStatus(client, 'live');
          if (connectedBefore) reconnectListeners.forEach((listener) => listener());
          connectedBefore = true;
        },
        closed: (event) => {
          setStatus(client, 'offline');
          if (
            socket?.client === client &&
            isCloseEvent(event) &&
            REFUSED_CLOSE_CODES.has(event.code)
          ) {
            options.onRefused(event.code);
          }
        },
      },
    });
    return { client, link: new GraphQLWsLink(client) };
  }

  /** Events from a socket that has since been reset must not overwrite the current state. */
  function setStatus(client: Client, next: LiveStatus): void {
    if (socket?.client === client) status.value = next;
  }

  const link = new ApolloLink(
    (operation) =>
      (socket ??= open()).link.request(operation) ??
      new Observable((observer) => observer.complete()),
  );

  return {
    status: readonly(status),
    link,
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    reset() {
      const closing = socket;
      socket = undefined;
      status.value = 'offline';
      // Disposing a socket whose connection attempt failed rejects with that failure's close
      // event; the socket is closed either way, and the failure was already reported.
      Promise.resolve(closing?.client.dispose()).catch(() => {});
    },
  };
}

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'number'
  );
}

/** Same-origin WebSocket URL of `path` for a page at `location`. */
export function webSocketUrl(location: Pick<Location, 'protocol' | 'host'>, path: string): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;
}

export const LiveConnectionKey: InjectionKey<LiveConnection> = Symbol('LiveConnection');

export function useLiveConnection(): LiveConnection {
  const live = inject(LiveConnectionKey);
  if (!live) throw new Error('useLiveConnection() needs the app to provide a LiveConnection');
  return live;
}
