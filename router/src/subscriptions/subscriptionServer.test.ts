/**
 * A fault of ours in a subscription, as a graphql-ws client meets it: a real graphql-ws server
 * (the router's subscriptionServer.ts over its streamingOperations.ts) and a real client. The
 * resolvers are the test's: the subscribe resolver fails as openLogFeed's Redis SUBSCRIBE would,
 * a field's resolver as the owner fetch through the gateway would, and the feed fails to end as a
 * Redis UNSUBSCRIBE would. The client is told the masked internal error with the request id its
 * log line has; a refusal of ours reaches it as it is; and the socket stays open throughout.
 */
import { ErrorCode } from '@microservice-math/shared/errors';
import type { ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { capturedLog } from '../../test/support/capturedLog.js';
import {
  FAULT,
  listeningSubscriptionServer,
  masked,
  unsignedToken,
  type ListeningSubscriptionServer,
} from '../../test/support/faultyStreams.js';

const log = capturedLog();

let running: ListeningSubscriptionServer;
let client: Client;
/** Every close of the client's socket, with its code. */
const closes: number[] = [];

beforeAll(async () => {
  running = await listeningSubscriptionServer(log.logger, {
    connectionsPerUser: 5,
    operationsPerConnection: 10,
    waitingPerAddress: 10,
  });
  client = createClient({
    url: running.url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${unsignedToken}` },
    retryAttempts: 0,
    lazy: false,
    on: { closed: (event) => closes.push((event as { code: number }).code) },
  });
});

afterAll(async () => {
  await client?.dispose();
  await running?.close();
});

/** The first result of `query` over the client, then the subscription is ended. */
async function firstResult(query: string): Promise<ExecutionResult> {
  const results = client.iterate({ query });
  const { value } = await results.next();
  await results.return?.();
  return value as ExecutionResult;
}

/** The error-level line logged with `requestId`, once it is there. */
const loggedFault = (requestId: unknown) =>
  log.waitFor((line) => line['level'] === 50 && line['requestId'] === requestId);

describe('a fault of ours in a subscription over graphql-ws', () => {
  it('that fails as it starts is told as the masked error with its request id, logged; a refusal as it is', async () => {
    const failed = await firstResult('subscription { logAdded(fail: "start") { id } }');
    const requestId = failed.errors?.[0]?.extensions?.['requestId'];
    expect(requestId).toEqual(expect.any(String));
    expect(failed).toEqual({ errors: [masked(requestId, ['logAdded'])] });
    const line = await loggedFault(requestId);
    expect(line['err']).toMatchObject({ message: FAULT.redis });

    const refused = await firstResult('subscription { logAdded(fail: "refuse") { id } }');
    expect(refused).toEqual({
      errors: [
        {
          message: 'Sign in to subscribe',
          locations: [{ line: 1, column: 16 }],
          path: ['logAdded'],
          extensions: { code: ErrorCode.Unauthenticated },
        },
      ],
    });
    expect(closes).toEqual([]);
  });

  it("whose event's field fails is told as the masked error at that field, with its request id, logged", async () => {
    const result = await firstResult('subscription { logAdded { id owner { name } } }');
    const requestId = result.errors?.[0]?.extensions?.['requestId'];
    expect(result).toEqual({
      data: { logAdded: { id: 'L1', owner: null } },
      errors: [masked(requestId, ['logAdded', 'owner'])],
    });
    const line = await loggedFault(requestId);
    expect(line['err']).toMatchObject({ message: FAULT.gateway });
    expect(closes).toEqual([]);
  });

  it('whose feed fails to end is logged, and the socket stays open for the next', async () => {
    expect(await firstResult('subscription { logAdded(fail: "end") { id } }')).toEqual({
      data: { logAdded: { id: 'L1' } },
    });
    const line = await log.waitFor(
      (l) =>
        l['level'] === 50 &&
        (l['err'] as { message?: string } | undefined)?.message === FAULT.unsubscribe,
    );
    expect(line['requestId']).toEqual(expect.any(String));
    // The same socket still serves.
    expect(await firstResult('subscription { logAdded { id } }')).toEqual({
      data: { logAdded: { id: 'L1' } },
    });
    expect(closes).toEqual([]);
  });
});
