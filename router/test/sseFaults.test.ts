/**
 * A fault of ours in a subscription, as a graphql-sse client meets it: the SSE equivalent of
 * subscriptionServer.test.ts (graphql-ws). A real SSE server (the router's sseServer.ts over its
 * streamingOperations.ts, on Express, as the router mounts it) and a real graphql-sse client; the
 * resolvers are the test's: the subscribe resolver fails as openLogFeed's Redis SUBSCRIBE would,
 * a field's resolver as the owner fetch through the gateway would, and the feed fails after its
 * first event as a catch-up's database read would. The client is told the masked internal error
 * with the request id its log line has, never the raw message, and the stream completes.
 *
 * Then the same through a whole router (auth, math and the router in this process, as
 * tests/support/services.ts starts them, on their in-memory event bus): an event the router
 * cannot serialise (an operation a newer math knows and this router's supergraph does not yet)
 * reaches its SSE subscriber masked, with the stream's request id, which its log line has.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { ExecutionResult } from 'graphql';
import { logAddedTopic } from '@microservice-math/shared/logAddedEvent';
import { createClient, type Client } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSseServer, SSE_PATH } from '../src/subscriptions/sseServer.js';
import { eventStream, signUp } from '../../tests/support/graphql.js';
import { capturedLog } from './support/capturedLog.js';
import { FAULT, faultyServerOptions, masked, unsignedToken } from './support/faultyStreams.js';
import { serviceSet, type RunningRouter, type ServiceSet } from '../../tests/support/services.js';
import { waitFor } from '../../tests/support/waitFor.js';

const log = capturedLog();

let server: Server;
let client: Client;

beforeAll(async () => {
  const sse = createSseServer({ ...faultyServerOptions(log.logger), streamsPerUser: 5 });
  const app = express();
  app.use(SSE_PATH, express.json(), sse.handler);
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  client = createClient({
    url: `http://127.0.0.1:${port}${SSE_PATH}`,
    headers: { authorization: `Bearer ${unsignedToken}` },
    retryAttempts: 0,
  });
});

afterAll(async () => {
  client?.dispose();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

/** Every result of `query` over the client until the stream completes (at most `max`). */
async function results(query: string, max = 5): Promise<ExecutionResult[]> {
  const received: ExecutionResult[] = [];
  const stream = client.iterate({ query });
  for await (const result of stream) {
    received.push(result as ExecutionResult);
    if (received.length === max) break;
  }
  return received;
}

/** The error-level line logged with `requestId`, once it is there. */
const loggedFault = (requestId: unknown) =>
  log.waitFor((line) => line['level'] === 50 && line['requestId'] === requestId);

/** The request id a result's first error carries: a request's own (a UUID). */
function requestIdOf(result: ExecutionResult | undefined): unknown {
  const requestId = result?.errors?.[0]?.extensions?.['requestId'];
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  return requestId;
}

describe('a fault of ours in a subscription over graphql-sse', () => {
  it('that fails as it starts is told as the masked error with its request id, logged', async () => {
    const received = await results('subscription { logAdded(fail: "start") { id } }');
    expect(received).toHaveLength(1);
    const requestId = requestIdOf(received[0]);
    expect(received[0]).toEqual({ errors: [masked(requestId, ['logAdded'])] });
    expect(JSON.stringify(received)).not.toContain('ECONNREFUSED');
    const line = await loggedFault(requestId);
    expect(line['err']).toMatchObject({ message: FAULT.redis });
  });

  it("whose event's field fails is told as the masked error at that field, with its request id, logged", async () => {
    const received = await results('subscription { logAdded { id owner { name } } }', 1);
    const requestId = requestIdOf(received[0]);
    expect(received[0]).toEqual({
      data: { logAdded: { id: 'L1', owner: null } },
      errors: [masked(requestId, ['logAdded', 'owner'])],
    });
    expect(JSON.stringify(received)).not.toContain('ECONNREFUSED');
    const line = await loggedFault(requestId);
    expect(line['err']).toMatchObject({ message: FAULT.gateway });
  });

  it('whose stream fails after an event ends with the masked error with its request id, logged, then completes', async () => {
    const received = await results('subscription { logAdded(fail: "stream") { id } }');
    // The event, then the failure as the stream's last result: the loop ended on `complete`.
    expect(received).toHaveLength(2);
    expect(received[0]).toEqual({ data: { logAdded: { id: 'L1' } } });
    const requestId = requestIdOf(received[1]);
    // Not at a field: the stream failed, not an event's execution.
    const { path: _none, ...atNoField } = masked(requestId, []);
    expect(received[1]).toEqual({ errors: [atNoField] });
    expect(JSON.stringify(received)).not.toContain('ECONNRESET');
    const line = await loggedFault(requestId);
    expect(line['err']).toMatchObject({ message: FAULT.database });
  });
});

/** A refused stream's answer, to say why in a failure; '' for a stream (left unread). */
const peek = async (response: Response) =>
  response.status === 200 ? '' : await response.clone().text();

describe('a fault of ours in a subscription over graphql-sse, through a whole router', () => {
  const routerLog = capturedLog();
  let services: ServiceSet;
  let router: RunningRouter;

  beforeAll(async () => {
    services = serviceSet();
    const auth = await services.startAuth();
    const math = await services.startMath();
    router = await services.startRouter(
      { auth: auth.url, math: math.url },
      { logger: routerLog.logger },
    );
  });
  afterAll(async () => {
    await services?.close();
  });

  it('an event it cannot serialise reaches the subscriber masked, with the stream’s request id, logged with it', async () => {
    const { token, id: userId } = await signUp(router.url, 'sse_fault');
    const stream = new AbortController();
    const response = await eventStream(
      router.url,
      token,
      'subscription { logAdded { id operation } }',
      stream.signal,
    );
    expect(response.status, await peek(response)).toBe(200);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    // Open once the router counts it: its feed then listens (openLogFeed has subscribed).
    await waitFor(async () => {
      const { values } = await router.service.metrics.activeSubscriptions.get();
      expect(values[0]?.value ?? 0).toBeGreaterThan(0);
    });
    // As math publishes a log, from a math newer than this router's supergraph.
    await services.events().pubsub.publish(logAddedTopic(userId), {
      id: '01900000-0000-7000-8000-0000000000f1',
      // An operation this router's supergraph does not know yet.
      operation: 'SQUARE_ROOT',
      input: '{"n":2}',
      resultPreview: '1.41',
      digits: 3,
      cached: false,
      durationMs: 1,
      createdAt: new Date(Date.now() + 60_000).toISOString(),
      status: 'ok',
      userId,
      username: 'sse_fault',
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    // The event (its `data:` line whole), however the stream was cut into chunks.
    while (!/event: next\ndata: .*\n\n/.test(text)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    stream.abort();
    expect(text, 'the stream ended before its event').toMatch(/event: next\n/);
    expect(text).not.toContain('SQUARE_ROOT');
    const data = /event: next\ndata: (.*)\n/.exec(text)?.[1];
    expect(JSON.parse(data ?? 'null')).toEqual({
      data: null,
      errors: [masked(requestId, ['logAdded', 'operation'])],
    });
    const line = await routerLog.waitFor(
      (entry) => entry['level'] === 50 && entry['requestId'] === requestId,
    );
    expect(JSON.stringify(line)).toContain('SQUARE_ROOT');
  });
});
