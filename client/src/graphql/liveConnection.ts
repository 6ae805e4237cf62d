/**
 * The WebSocket side of the app: one graphql-ws client per session, its state for the live
 * indicator, and a hook for views that must catch up after a reconnect (the socket's own
 * resubscription repeats each subscription's first variables, so a view that resumes from a
 * cursor restarts its subscription with the newest one, before the socket subscribes again). The
 * token is read when the socket connects, so a new session gets a new socket: `reset()` closes the
 * old one; and a renewed token moves the socket to it (`restart()`), unnoticed by the page.
 */
import { ApolloLink, Observable } from '@apollo/client/core';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient, type Client } from 'graphql-ws';
import { inject, readonly, shallowRef, type InjectionKey, type Ref } from 'vue';

/**
 * `idle`: the socket was closed by this side because no subscription was left to carry (graphql-ws
 * closes a lazy socket so); nothing is wrong, and the next subscription opens a new one.
 */
export type LiveStatus = 'connecting' | 'live' | 'offline' | 'idle';

/** The close code graphql-ws gives a socket it closes itself (no subscription left, or disposed). */
const NORMAL_CLOSURE = 1000;

/**
 * The close code of a socket this side closes to connect again with the session's renewed token
 * (graphql-ws's recipe for refreshing connectionParams): a planned restart, not an outage.
 */
export const RESTART_CLOSE_CODE = 4205;

/** Close codes by which the server refuses the connection's credentials. */
export const REFUSED_CLOSE_CODES: ReadonlySet<number> = new Set([4401, 4403]);

/** Reconnection backs off exponentially from half a second up to this, plus up to half a second of jitter: never more than 5 s apart. */
const LONGEST_RETRY_WAIT_MS = 4_500;
const FIRST_RETRY_WAIT_MS = 500;
const RETRY_JITTER_MS = 500;

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
  /** When the next reconnection attempt starts (epoch ms), while one is scheduled. */
  readonly nextRetryAt: Readonly<Ref<number | null>>;
  /** Starts the scheduled reconnection attempt now. */
  retryNow(): void;
  /** The Apollo link that carries subscriptions over the current socket. */
  readonly link: ApolloLink;
  /**
   * The live feed refused by the server, waiting to subscribe again (or for Resume): set by the
   * view that runs the feed (RecentLogs). The socket alone cannot tell it: with the refused
   * subscription gone it closes as idle, and "Idle" read as if nothing were wrong.
   */
  readonly feedPaused: Readonly<Ref<boolean>>;
  setFeedPaused(paused: boolean): void;
  /** Runs `listener` each time the socket connects again after a drop; returns an unsubscribe. */
  onReconnect(listener: () => void): () => void;
  /**
   * Runs `listener` when the socket is about to connect again after a drop (or a restart), before
   * graphql-ws subscribes again what it carried: a view whose subscription resumes from a cursor
   * restarts it then, from the newest one, and the socket subscribes it once, not once with its
   * old cursor and again with the newest. Returns an unsubscribe.
   */
  onResubscribe(listener: () => void): () => void;
  /**
   * Moves the socket to the session's token of now, when it presented another (the session was
   * renewed): closes it as a planned restart (RESTART_CLOSE_CODE) and connects again at once. The
   * status stays live meanwhile: nothing is down, and the old token would otherwise keep the
   * socket until it expired, when the server closes it as refused.
   */
  restart(): void;
  /** Closes the socket; the next subscription opens a new one with the token of that moment. */
  reset(): void;
}

interface Socket {
  client: Client;
  link: GraphQLWsLink;
  /** Operations running on this socket: with none, a normal closure is graphql-ws's lazy close. */
  active: number;
  /** LiveConnection.restart for this socket. */
  restart(): void;
}

export function createLiveConnection(options: LiveConnectionOptions): LiveConnection {
  const status = shallowRef<LiveStatus>('offline');
  const nextRetryAt = shallowRef<number | null>(null);
  const feedPaused = shallowRef(false);
  const reconnectListeners = new Set<() => void>();
  const resubscribeListeners = new Set<() => void>();
  let socket: Socket | undefined;
  let wakeRetry: (() => void) | undefined;

  /** graphql-ws waits on this between attempts; `retryNow` ends the wait early. */
  function retryWait(retries: number): Promise<void> {
    const waitMs =
      Math.min(FIRST_RETRY_WAIT_MS * 2 ** retries, LONGEST_RETRY_WAIT_MS) +
      Math.random() * RETRY_JITTER_MS;
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        if (wakeRetry === wake) wakeRetry = undefined;
        nextRetryAt.value = null;
        resolve();
      };
      const timer = setTimeout(wake, waitMs);
      wakeRetry = wake;
      nextRetryAt.value = Date.now() + waitMs;
    });
  }

  function open(): Socket {
    let connectedBefore = false;
    /** The socket of the latest connection (graphql-ws's `opened`), which `restart` closes. */
    let webSocket: { readyState: number; close(code: number, reason: string): void } | undefined;
    /**
     * A planned restart under way: `closing` until the socket restart() closed has closed, then
     * `reconnecting` until the next connection is up (or fails: then an outage like any other).
     */
    let restarting: 'closing' | 'reconnecting' | false = false;
    /** The token the latest connection presented: a refusal of an older token than the session's now is no refusal of the session. */
    let presented: string | null = null;
    const refusedCurrentToken = (event: unknown) =>
      isCloseEvent(event) && REFUSED_CLOSE_CODES.has(event.code) && presented === options.token();
    const client: Client = createClient({
      url: options.url,
      webSocketImpl: options.webSocketImpl,
      connectionParams: () => {
        const token = options.token();
        presented = token;
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      retryAttempts: Infinity,
      retryWait: (retries) => {
        // graphql-ws has put its next connection in place (views subscribing now join it) and
        // subscribes again what the socket carried once it is up: views restart theirs first.
        if (socket?.client === client) resubscribeListeners.forEach((listener) => listener());
        // A restart connects again at once; the views' restarts (their next tick) come first.
        const waited = restarting
          ? new Promise<void>((resolve) => setTimeout(resolve, 0))
          : retryWait(retries);
        // A view may end the last subscription while the socket waits: graphql-ws then connects
        // no more, and says nothing; the socket is idle, not down.
        return waited.then(() => {
          if (socket?.client === client && socket.active === 0) retryGivenUp();
        });
      },
      // A socket closed for a token the session has since renewed reconnects with the new one.
      shouldRetry: (event) => !refusedCurrentToken(event),
      on: {
        opened: (opened) => {
          webSocket = opened as typeof webSocket;
        },
        // Restarting, the socket stays live for the page: it is between two connections by choice.
        connecting: () => {
          if (!restarting) setStatus(client, 'connecting');
        },
        connected: () => {
          restarting = false;
          setStatus(client, 'live');
          // The token was renewed again while this connection awaited its acknowledgement (a
          // restart then is dropped): move on to the newest one before the one presented expires.
          // The views catch up once, on the connection after, not on this one about to close.
          const moving = restart();
          if (connectedBefore && !moving) reconnectListeners.forEach((listener) => listener());
          connectedBefore = true;
        },
        closed: (event) => {
          webSocket = undefined;
          if (restarting === 'closing') {
            // The last subscription ended during the restart: graphql-ws does not connect again.
            if (socket?.active === 0) retryGivenUp();
            else restarting = 'reconnecting';
            return;
          }
          restarting = false;
          if (isCloseEvent(event) && event.code === NORMAL_CLOSURE && socket?.active === 0) {
            closedIdle();
          } else {
            setStatus(client, 'offline');
          }
          if (socket?.client === client && isCloseEvent(event) && refusedCurrentToken(event)) {
            options.onRefused(event.code);
          }
        },
      },
    });
    /** The socket closed with no subscription left to carry: it is idle, not down. */
    function closedIdle(): void {
      restarting = false;
      setStatus(client, 'idle');
      // The next connection carries new subscriptions only: none had to catch up.
      connectedBefore = false;
    }
    /**
     * graphql-ws gave up a retry because no subscription was left (it says nothing then): idle,
     * and this client is let go. Kept, it would still count itself retrying, and the next
     * subscription would first wait out a whole back-off, shown idle.
     */
    function retryGivenUp(): void {
      closedIdle();
      if (socket?.client !== client) return;
      socket = undefined;
      Promise.resolve(client.dispose()).catch(() => {});
    }
    /** Starts a restart when one is due (see LiveConnection.restart); says whether it did. */
    function restart(): boolean {
      const token = options.token();
      // Only an open socket (WebSocket.OPEN) that presented another token: one connecting
      // presents the token of its moment (and restarts once connected if it is no longer the
      // session's), one closing is replaced anyway.
      if (webSocket?.readyState !== 1 || restarting || token === null || token === presented) {
        return false;
      }
      restarting = 'closing';
      webSocket.close(RESTART_CLOSE_CODE, 'Client Restart');
      return true;
    }
    return {
      client,
      link: new GraphQLWsLink(client),
      active: 0,
      restart: () => void restart(),
    };
  }

  /** Events from a socket that has since been reset must not overwrite the current state. */
  function setStatus(client: Client, next: LiveStatus): void {
    if (socket?.client === client) status.value = next;
  }

  const link = new ApolloLink((operation) => {
    const current = (socket ??= open());
    const request = current.link.request(operation);
    if (!request) return new Observable((observer) => observer.complete());
    return new Observable((observer) => {
      current.active++;
      const subscription = request.subscribe(observer);
      return () => {
        current.active--;
        subscription.unsubscribe();
      };
    });
  });

  return {
    status: readonly(status),
    nextRetryAt: readonly(nextRetryAt),
    retryNow: () => wakeRetry?.(),
    feedPaused: readonly(feedPaused),
    setFeedPaused: (paused) => {
      feedPaused.value = paused;
    },
    link,
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    onResubscribe(listener) {
      resubscribeListeners.add(listener);
      return () => resubscribeListeners.delete(listener);
    },
    restart: () => socket?.restart(),
    reset() {
      const closing = socket;
      socket = undefined;
      status.value = 'offline';
      wakeRetry?.();
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
