/**
 * The app's Apollo Client: queries and mutations over HTTP to the same origin's `/graphql`,
 * subscriptions over graphql-ws on the same path, the session's token on both, and the session
 * ended when the server says the token is no longer good.
 */
import {
  ApolloClient,
  ApolloLink,
  HttpLink,
  InMemoryCache,
  from,
  split,
  type NormalizedCacheObject,
  type Reference,
} from '@apollo/client/core';
import { onError } from '@apollo/client/link/error';
import { ErrorCode } from '@microservice-math/shared/errorCodes';
import { getMainDefinition } from '@apollo/client/utilities';
import { effectScope, watch } from 'vue';
import { EXPIRED_MESSAGE, REFUSED_MESSAGE, type Session } from '../session/session';
import { createLiveConnection, type LiveConnection } from './liveConnection';
import { graphQLErrorsOf, hasErrorCode } from './operationErrors';

export interface GraphQLClientOptions {
  session: Session;
  /** Where HTTP operations go, e.g. `/graphql`. */
  httpUrl: string;
  /** Where the subscription socket connects, e.g. `ws://localhost:8501/graphql`. */
  webSocketUrl: string;
  /** For tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

export interface GraphQLClient {
  apollo: ApolloClient<NormalizedCacheObject>;
  live: LiveConnection;
  /**
   * Stops following the session's token and closes the socket: the client is done with. Its
   * listener of the session's end stays (the session offers no way to remove one): a later end
   * still resets the socket and clears the cache, which a disposed client no longer uses.
   */
  dispose(): void;
}

/** The token an operation was sent with, so a late refusal cannot end a newer session. */
const SENT_TOKEN = 'sentToken';
/**
 * Context flag of an operation that ends the session itself (`logout`): its refusal is no news
 * to report, the sign-out that sent it ends the session without an "expired" notice.
 */
export const ENDS_SESSION = 'endsSession';

export function createGraphQLClient(options: GraphQLClientOptions): GraphQLClient {
  const { session } = options;
  const live = createLiveConnection({
    url: options.webSocketUrl,
    token: session.token,
    onRefused: () => void session.end(REFUSED_MESSAGE),
  });

  const withToken = new ApolloLink((operation, forward) => {
    const token = session.token();
    if (token) {
      operation.setContext(({ headers = {} }: { headers?: Record<string, string> }) => ({
        headers: { ...headers, authorization: `Bearer ${token}` },
        [SENT_TOKEN]: token,
      }));
    }
    return forward(operation);
  });

  const endSessionWhenRefused = onError(({ graphQLErrors, networkError, operation }) => {
    const sentToken: unknown = operation.getContext()[SENT_TOKEN];
    if (sentToken === undefined || sentToken !== session.token()) return;
    if (operation.getContext()[ENDS_SESSION] === true) return;
    const status = (networkError as { statusCode?: unknown } | null | undefined)?.statusCode;
    if (
      status === 401 ||
      hasErrorCode({ graphQLErrors, networkError }, ErrorCode.Unauthenticated)
    ) {
      void session.end(refusalNotice({ graphQLErrors, networkError }, session));
    }
  });

  const transport = split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
    },
    live.link,
    new HttpLink({ uri: options.httpUrl, fetch: options.fetch }),
  );

  const apollo = new ApolloClient({
    link: from([endSessionWhenRefused, withToken, transport]),
    // One recent-logs list whatever its arguments, so "Load more" and the live feed share it: a
    // page fetched `before` a cursor is appended to it, any other answer replaces it. A page whose
    // cursor is no longer the list's oldest row (live logs pushed it out while the page was on
    // its way: recentLogs.ts, addLog) is dropped: appended, it would skip that row.
    cache: new InMemoryCache({
      typePolicies: {
        Query: {
          fields: {
            recentLogs: {
              keyArgs: false,
              merge(
                existing: readonly Reference[] | undefined,
                incoming: Reference[],
                { args, readField },
              ) {
                if (!existing || typeof args?.['before'] !== 'string') return incoming;
                const oldest = existing.at(-1);
                if (!oldest || readField('id', oldest) !== args['before']) return existing;
                const listed = new Set(existing.map((log) => readField('id', log)));
                return [
                  ...existing,
                  ...incoming.filter((log) => !listed.has(readField('id', log))),
                ];
              },
            },
          },
        },
      },
    }),
  });

  // A renewed token (this tab's renewal, or another tab's taken up) replaces the one the socket
  // presented before the old one expires and the server closes the socket as refused.
  const scope = effectScope();
  scope.run(() =>
    watch(
      () => session.current.value?.token,
      (token) => {
        if (token) live.restart();
      },
    ),
  );

  session.onEnd(async () => {
    live.reset();
    await apollo.clearStore();
  });

  return {
    apollo,
    live,
    dispose() {
      scope.stop();
      live.reset();
    },
  };
}

/**
 * Why the server refused the session's token, as the sign-in page says it: what the server said,
 * when it said which ("Token expired", or "Token revoked" and "Invalid token": refused, not
 * expired, even once the token's time has passed by this tab's clock, which may be ahead or have
 * slept through the expiry timer); otherwise (graphql-ws's "Token revoked or expired", a bare
 * 401) expired if its time has passed here, else refused.
 */
function refusalNotice(error: unknown, session: Session): string {
  const messages = graphQLErrorsOf(error).map(({ message }) => message);
  if (messages.some((message) => /^Token expired/.test(message))) return EXPIRED_MESSAGE;
  if (messages.some((message) => /^(Token revoked;|Invalid token)/.test(message))) {
    return REFUSED_MESSAGE;
  }
  const expiresAt = Date.parse(session.current.value?.expiresAt ?? '');
  return expiresAt <= Date.now() ? EXPIRED_MESSAGE : REFUSED_MESSAGE;
}
