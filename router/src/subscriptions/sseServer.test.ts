/**
 * How a stream's request that fails is told apart: a client that went away while its answer was
 * written is logged at info; a fault of ours is answered 500 and logged as an error (Node
 * destroys a request once its body is read, so the request's own state cannot tell them apart).
 * A real Express server and graphql-sse; the operations and the token check are the test's, so
 * that the answer can be held until the client has gone.
 */
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { unauthenticated } from '@microservice-math/shared/errors';
import express from 'express';
import { buildSchema, getOperationAST, parse, type ExecutionResult } from 'graphql';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLog } from '../../test/support/capturedLog.js';
import type { Caller } from '@microservice-math/shared/routerContext';
import { createRouterMetrics } from '../metrics/routerMetrics.js';
import { createSecurityLog } from '../securityLog.js';
import type { TokenVerifier } from '../auth/tokenVerifier.js';
import { createSseServer, SSE_PATH } from './sseServer.js';
import type { StreamingOperations } from './streamingOperations.js';

const log = capturedLog();
let server: Server;
let port: number;
/** Resolves when the server has seen the test's raw client close its connection. */
let clientGone: Promise<void> = Promise.resolve();

const schema = buildSchema('type Query { hello: String }');
/** Unsigned, but with an expiry a day away: only its claims are read here. */
const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const tokenOf = (sub: string) =>
  `${encode({ alg: 'none' })}.${encode({ sub, exp: Math.floor(Date.now() / 1000) + 86_400 })}.x`;
/** Its check finishes only once the client has gone: the stream then opens on a closed connection. */
const slowToken = tokenOf('slow');
/** Its operation is answered only once the client has gone: the answer meets a closed connection. */
const lateAnswerToken = tokenOf('late');
const STREAMS_PER_USER = 5;

const operations = {
  admit: async () => undefined,
  prepare: ({ query }: { query: string }) => {
    const document = parse(query);
    return { schema, document, operation: getOperationAST(document) };
  },
  costed: (...args: unknown[]) => ({ context: args[4], release: () => {} }),
  execute: async ({
    contextValue,
  }: {
    contextValue: { caller: Caller };
  }): Promise<ExecutionResult> => {
    if (contextValue.caller.id === 'late') await clientGone;
    return { data: { hello: 'hi' } };
  },
} as unknown as StreamingOperations;

/** An SSE server over `ops`, checking tokens with `verifyToken`, listening on a port of its own. */
async function listening(ops: StreamingOperations, verifyToken: TokenVerifier) {
  const sse = createSseServer({
    operations: ops,
    verifyToken,
    metrics: createRouterMetrics(new Registry()),
    logger: log.logger,
    clientAddressOf: () => '127.0.0.1',
    securityLog: createSecurityLog(log.logger),
    onTokenRevoked: () => () => {},
    streamsPerUser: STREAMS_PER_USER,
    shutdownAnswerMs: 1_000,
  });
  const app = express();
  app.use(SSE_PATH, express.json(), sse.handler);
  const listener = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => listener.once('listening', resolve));
  return { sse, server: listener, port: (listener.address() as AddressInfo).port };
}

beforeAll(async () => {
  ({ server, port } = await listening(operations, async (given) => {
    if (given === 'broken') throw new Error('the key store is broken');
    if (given === lateAnswerToken) return { id: 'late', username: 'grace' } as Caller;
    if (given !== slowToken) throw unauthenticated('Invalid token');
    await clientGone;
    return { id: 'u1', username: 'ada' } as Caller;
  }));
});
afterAll(() => {
  server?.closeAllConnections();
  return new Promise((resolve) => server?.close(resolve));
});

/** Sends a stream's request with `token` on a raw connection, which it closes once sent. */
function sendAndLeave(token: string): void {
  const body = JSON.stringify({ query: '{ hello }' });
  const client = connect(port, '127.0.0.1');
  client.write(
    [
      `POST ${SSE_PATH} HTTP/1.1`,
      'Host: localhost',
      'Content-Type: application/json',
      'Accept: text/event-stream',
      `Authorization: Bearer ${token}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
    // Gone as soon as its request is sent, before the stream opens.
    () => client.destroy(),
  );
}

/** Resolves when the server has seen its next connection close. */
const nextConnectionClosed = () =>
  new Promise<void>((resolve) =>
    server.once('connection', (socket) => socket.once('close', () => resolve())),
  );

describe('a stream request that fails', () => {
  it('because its token check failed unexpectedly: answered 500 INTERNAL_SERVER_ERROR with a request id, logged as an error with it', async () => {
    const response = await fetch(`http://127.0.0.1:${port}${SSE_PATH}`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer broken',
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({ query: '{ hello }' }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(500);
    const { errors } = (await response.json()) as {
      errors: Array<{ message: string; extensions: { code: string; requestId: string } }>;
    };
    const requestId = errors[0]?.extensions.requestId;
    expect(errors).toEqual([
      {
        message: `Internal server error (request id ${requestId})`,
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) },
      },
    ]);
    // Logged with the id the client was given, so that the one finds the other.
    const line = await log.waitFor((entry) => entry['msg'] === 'unexpected error');
    expect(line).toMatchObject({ level: 50, requestId });
  });

  it('because its client went away before the answer: logged at info, not as a failure', async () => {
    clientGone = nextConnectionClosed();
    sendAndLeave(lateAnswerToken);
    const errorsBefore = log.lines.filter((entry) => Number(entry['level']) >= 50).length;
    const line = await log.waitFor(
      (entry) => entry['msg'] === 'SSE client went away before its answer',
    );
    expect(line['level']).toBe(30);
    expect(log.lines.filter((entry) => Number(entry['level']) >= 50)).toHaveLength(errorsBefore);
  });
});

describe('a stream whose client went away while its token was checked', () => {
  it('holds none of its user’s places: the user still opens as many streams', async () => {
    for (let i = 0; i <= STREAMS_PER_USER; i++) {
      clientGone = nextConnectionClosed();
      sendAndLeave(slowToken);
      await clientGone;
      // The check has returned, and what follows it in the same turn has run.
      await new Promise((resolve) => setImmediate(resolve));
    }
    const response = await fetch(`http://127.0.0.1:${port}${SSE_PATH}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${slowToken}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({ query: '{ hello }' }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('"hello":"hi"');
  });
});

describe('a subscription’s stream', () => {
  /** A server of its own whose subscriptions are `events` (closed by the test). */
  async function subscriptionServer(events: () => AsyncIterableIterator<ExecutionResult>) {
    const {
      sse,
      server: own,
      port: ownPort,
    } = await listening(
      { ...operations, subscribe: async () => events() } as StreamingOperations,
      async () => ({ id: 'u1', username: 'ada' }) as Caller,
    );
    const response = await fetch(`http://127.0.0.1:${ownPort}${SSE_PATH}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tokenOf('u1')}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({ query: 'subscription { hello }' }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(200);
    return {
      sse,
      response,
      close: () => {
        own.closeAllConnections();
        return new Promise((resolve) => own.close(resolve));
      },
    };
  }

  /** A subscription that waits for events that never come. */
  const waitsForever = (): AsyncIterableIterator<ExecutionResult> => {
    const iterator: AsyncIterableIterator<ExecutionResult> = {
      next: () => new Promise(() => {}),
      return: async () => ({ value: undefined, done: true }),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  };

  /** The stream's events (`event:` and `data:` lines), each as one string. */
  const eventsOf = (text: string) =>
    text.split('\n\n').filter((event) => event.startsWith('event:'));

  it('ends, when the server shuts down, with SERVICE_UNAVAILABLE saying so, then complete', async () => {
    const { sse, response, close } = await subscriptionServer(waitsForever);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // graphql-sse's first comment: the stream is open
    await sse.close();
    let text = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      text += new TextDecoder().decode(chunk.value);
    const events = eventsOf(text);
    expect(events).toHaveLength(2);
    expect(events[0]).toContain('event: next');
    expect(events[0]).toContain('"code":"SERVICE_UNAVAILABLE"');
    expect(events[0]).toContain('The router is shutting down; subscribe again');
    expect(events[1]).toMatch(/^event: complete/);
    await close();
  });

  it('that fails sends the refusal as its last next event, then complete, logging no error', async () => {
    const refused = (): AsyncIterableIterator<ExecutionResult> => {
      const iterator: AsyncIterableIterator<ExecutionResult> = {
        next: () => Promise.reject(unauthenticated('refused for the test')),
        return: async () => ({ value: undefined, done: true }),
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    };
    const errorsBefore = log.lines.filter((entry) => Number(entry['level']) >= 50).length;
    const { response, close } = await subscriptionServer(refused);
    const events = eventsOf(await response.text());
    expect(events).toHaveLength(2);
    expect(events[0]).toContain('"code":"UNAUTHENTICATED"');
    expect(events[0]).toContain('refused for the test');
    expect(events[1]).toMatch(/^event: complete/);
    expect(log.lines.filter((entry) => Number(entry['level']) >= 50)).toHaveLength(errorsBefore);
    await close();
  });

  it('that fails with a fault of ours not yet reported sends it masked with its request id, logged with it, then complete', async () => {
    // What streamingOperations hands on is reported already (sseFaults.test.ts): this is the
    // stream's own guard, for a raw error that reaches it all the same.
    const broken = (): AsyncIterableIterator<ExecutionResult> => {
      const iterator: AsyncIterableIterator<ExecutionResult> = {
        next: () => Promise.reject(new Error('read ECONNRESET 10.0.0.9:5432')),
        return: async () => ({ value: undefined, done: true }),
        [Symbol.asyncIterator]: () => iterator,
      };
      return iterator;
    };
    const { response, close } = await subscriptionServer(broken);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const text = await response.text();
    const events = eventsOf(text);
    expect(events).toHaveLength(2);
    expect(events[0]).toContain(
      JSON.stringify({
        errors: [
          {
            message: `Internal server error (request id ${requestId})`,
            extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
          },
        ],
      }),
    );
    expect(text).not.toContain('ECONNRESET');
    expect(events[1]).toMatch(/^event: complete/);
    const line = await log.waitFor(
      (entry) => entry['level'] === 50 && entry['requestId'] === requestId,
    );
    expect(line['err']).toMatchObject({ message: 'read ECONNRESET 10.0.0.9:5432' });
    await close();
  });
});
