/**
 * A client that sends its request slowly (a byte every so often, the "slowloris" pattern) is cut
 * off once its headers or its whole request take longer than the host allows, instead of holding
 * a connection for Node's default five minutes. Real sockets against a real host: the timeouts
 * are shortened here so that the test takes seconds; the services use the defaults checked below.
 */
import { connect, type Socket } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directGraphQL } from './directGraphQL.js';
import { createLogger } from './logger.js';
import {
  HEADERS_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
  TIMEOUT_CHECK_INTERVAL_MS,
} from './serverTimeouts.js';
import { ServiceHost, type RequestBase } from './serviceHost.js';

const logger = createLogger('timeouts-test', { level: 'silent', pretty: false });
const HEADERS_MS = 1_000;
const REQUEST_MS = 2_000;
let host: ServiceHost;
let apollo: ApolloServer<RequestBase>;
let port: number;

beforeAll(async () => {
  host = new ServiceHost({
    name: 'test',
    logger,
    production: false,
    headersTimeoutMs: HEADERS_MS,
    requestTimeoutMs: REQUEST_MS,
  });
  apollo = new ApolloServer<RequestBase>({
    typeDefs: 'type Query { hello: String! }',
    resolvers: { Query: { hello: () => 'hello' } },
    ...host.apolloServerOptions<RequestBase>(),
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  host.answerFirst(
    directGraphQL(
      apollo,
      host.mountGraphQL(apollo, (_req, base) => base),
    ),
  );
  port = await host.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await host?.close();
  await apollo?.stop();
});

/**
 * Sends `head` then `drip` one byte every `everyMs`; resolves when the server ends the
 * connection, with how long that took from the first byte and what the server wrote.
 */
function slowClient(head: string, drip: string, everyMs: number) {
  return new Promise<{ ms: number; answer: string }>((resolve, reject) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => {}); // a reset after the 408 ends the connection as well
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ ms: Date.now() - started, answer });
    });
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (sent >= drip.length) {
          clearInterval(timer);
          socket.destroy();
          reject(new Error(`the server still waited after ${Date.now() - started} ms`));
          return;
        }
        socket.write(drip[sent++]!);
      }, everyMs);
    });
  });
}

/** Padded so that dripping it takes far longer than the timeouts (JSON allows the spaces). */
const BODY = `${JSON.stringify({ query: '{ hello }' })}${' '.repeat(40)}`;

describe('a client that sends its request slowly', () => {
  it('is answered 408 and disconnected when its body takes longer than the request timeout', async () => {
    const head =
      `POST /graphql HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n` +
      `content-length: ${BODY.length}\r\n\r\n`;
    const { ms, answer } = await slowClient(head, BODY, 200);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    // Node looks for late requests once a second.
    expect(ms).toBeGreaterThanOrEqual(REQUEST_MS - 100);
    expect(ms).toBeLessThan(REQUEST_MS + 2_500);
  }, 15_000);

  it('is disconnected when its headers take longer than the headers timeout', async () => {
    const { ms, answer } = await slowClient(
      '',
      `GET /health HTTP/1.1\r\nHost: x\r\nx-slow: ${'a'.repeat(60)}\r\n\r\n`,
      100,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeGreaterThanOrEqual(HEADERS_MS - 100);
    expect(ms).toBeLessThan(HEADERS_MS + 2_500);
  }, 15_000);

  it('a request sent at once is answered as before', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: BODY,
    });
    expect(await response.json()).toEqual({ data: { hello: 'hello' } });
  });

  it('by default, every service allows 10 s for the headers and 20 s for the whole request', () => {
    const defaults = new ServiceHost({ name: 'defaults', logger, production: false });
    expect(HEADERS_TIMEOUT_MS).toBe(10_000);
    expect(REQUEST_TIMEOUT_MS).toBe(20_000);
    expect(defaults.server.headersTimeout).toBe(HEADERS_TIMEOUT_MS);
    expect(defaults.server.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
    // Checked every second: Node's default, 30 s, would let a slow client hold on that much longer.
    // Node keeps the option on the server; @types/node does not declare it.
    const checked = defaults.server as { connectionsCheckingInterval?: number };
    expect(checked.connectionsCheckingInterval).toBe(TIMEOUT_CHECK_INTERVAL_MS);
  });
});
