/**
 * A stand-in for the router's HTTP endpoint in component tests: a `fetch` that answers each
 * operation by name and records what was sent. Everything between the component and `fetch`
 * (Apollo, our links, error handling) is the real thing.
 */
import { DefaultApolloClient } from '@vue/apollo-composable';
import type { GraphQLFormattedError } from 'graphql';
import { createGraphQLClient, type GraphQLClient } from '../graphql/apolloClient';
import { LiveConnectionKey } from '../graphql/liveConnection';
import { SessionKey, createSession, type Session } from '../session/session';

export interface GraphQLReply {
  data?: unknown;
  errors?: GraphQLFormattedError[];
  /** HTTP status; 200 unless given. */
  status?: number;
}

export interface SentOperation {
  operationName: string;
  variables: Record<string, unknown>;
  authorization: string | null;
  idempotencyKey: string | null;
  signal: AbortSignal | null;
}

/** Answers an operation; `'hang'` never answers (until the request is aborted). */
export type Responder = (operation: SentOperation) => GraphQLReply | 'hang';

export function fakeGraphQLFetch(responders: Record<string, Responder>) {
  const sent: SentOperation[] = [];
  const fetch = async (_url: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const body = JSON.parse(String(init?.body)) as {
      operationName: string;
      variables?: Record<string, unknown>;
    };
    const operation: SentOperation = {
      operationName: body.operationName,
      variables: body.variables ?? {},
      authorization: new Headers(init?.headers).get('authorization'),
      idempotencyKey: new Headers(init?.headers).get('idempotency-key'),
      signal: init?.signal ?? null,
    };
    sent.push(operation);
    const responder = responders[operation.operationName];
    if (!responder) throw new Error(`No responder for ${operation.operationName}`);
    const reply = responder(operation);
    if (reply === 'hang') return hangUntilAborted(operation.signal);
    const { status = 200, ...payload } = reply;
    return new Response(JSON.stringify(payload), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch, sent };
}

function hangUntilAborted(signal: AbortSignal | null): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal?.addEventListener('abort', () =>
      reject(new DOMException('The operation was aborted.', 'AbortError')),
    );
  });
}

export interface TestGraphQLClient extends GraphQLClient {
  session: Session;
  sent: SentOperation[];
  /** Disposes the client and its session. */
  dispose(): void;
}

/** The app's real GraphQL client over a fake fetch, with a signed-in session unless told otherwise. */
export function createTestGraphQLClient(
  responders: Record<string, Responder>,
  {
    signedIn = true,
    webSocketUrl = 'ws://app.test/graphql',
  }: { signedIn?: boolean; webSocketUrl?: string } = {},
): TestGraphQLClient {
  window.sessionStorage.clear();
  const session = createSession({ storage: window.sessionStorage });
  if (signedIn) {
    session.start({
      token: 'test-token',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      user: { id: 'u1', username: 'ada' },
    });
  }
  const { fetch, sent } = fakeGraphQLFetch(responders);
  const client = createGraphQLClient({
    session,
    httpUrl: 'http://app.test/graphql',
    webSocketUrl,
    fetch,
  });
  return {
    ...client,
    session,
    sent,
    dispose() {
      client.dispose();
      session.dispose();
    },
  };
}

/** `provide` for mount(): the Apollo client, the session and the live connection. */
export function provideFor(client: TestGraphQLClient): Record<symbol, unknown> {
  return {
    [DefaultApolloClient]: client.apollo,
    [SessionKey]: client.session,
    [LiveConnectionKey]: client.live,
  };
}
