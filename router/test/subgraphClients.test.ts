/**
 * The subgraph HTTP client and the data source over it: what is sent, what an answer becomes
 * (as Apollo's RemoteGraphQLDataSource would make it), connections kept alive, and a deadline
 * on the whole call (a subgraph that sends headers and then stalls is as late as one that
 * never answers).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RouterContext } from '../src/context.js';
import { subgraphClients } from '../src/gateway/subgraphClients.js';
import { SubgraphDataSource } from '../src/gateway/subgraphDataSource.js';
import { whyUnreachable } from '../src/gateway/subgraphFailure.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let handler: Handler;
let server: Server;
let base: string;
const connections = new Set<Socket>();
let connectionCount = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handler(req, body, res));
  });
  server.on('connection', (socket) => {
    connectionCount++;
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of connections) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const json = (res: ServerResponse, status: number, value: unknown, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(value));
};

describe('subgraph clients', () => {
  it('POSTs headers and body and reads the whole answer', async () => {
    handler = (req, body, res) =>
      json(res, 200, { method: req.method, secret: req.headers['x-secret'], body });
    const clients = subgraphClients(2_000);
    const answer = await clients.clientFor(`${base}/graphql`)({ 'x-secret': 's3' }, '{"a":1}');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(answer.body)).toEqual({ method: 'POST', secret: 's3', body: '{"a":1}' });
    await clients.close();
  });

  it('keeps connections alive across calls, one pool per origin', async () => {
    handler = (_req, _body, res) => json(res, 200, {});
    const clients = subgraphClients(2_000);
    const post = clients.clientFor(`${base}/graphql`);
    expect(clients.clientFor(`${base}/graphql`)).toBe(post);
    const before = connectionCount;
    for (let i = 0; i < 20; i++) await post({}, '{}');
    await clients.clientFor(`${base}/other`)({}, '{}');
    // A call that follows the previous answer at once may find its connection not yet released.
    expect(connectionCount - before).toBeLessThanOrEqual(2);
    await clients.close();
  });

  const stalls: Record<string, Handler> = {
    'never answers': () => {},
    'sends its headers and then stalls': (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":');
    },
  };
  it.each(Object.keys(stalls))('stops a subgraph that %s at the deadline', async (name) => {
    handler = stalls[name]!;
    const clients = subgraphClients(300);
    const started = performance.now();
    const error = await clients
      .clientFor(`${base}/graphql`)({}, '{}')
      .catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
    expect(whyUnreachable(error, 300)).toBe('did not answer within 300 ms');
    await clients.close();
  });

  it('clears the deadline of a call that ended', async () => {
    handler = (_req, _body, res) => json(res, 200, {});
    const clients = subgraphClients(60_000);
    const cleared = vi.spyOn(globalThis, 'clearTimeout');
    await clients.clientFor(`${base}/graphql`)({}, '{}');
    expect(cleared).toHaveBeenCalled();
    cleared.mockRestore();
    await clients.close();
  });

  it('names a refused connection by its code', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const clients = subgraphClients(2_000);
    const error = await clients
      .clientFor(`http://127.0.0.1:${port}/graphql`)({}, '{}')
      .catch((e: unknown) => e);
    expect(whyUnreachable(error, 2_000)).toBe('is unreachable (ECONNREFUSED)');
    await clients.close();
  });
});

describe('the subgraph data source', () => {
  const clients = subgraphClients(2_000);
  afterAll(() => clients.close());

  const source = () =>
    new SubgraphDataSource(
      'math',
      `${base}/graphql`,
      'the-secret',
      2_000,
      clients.clientFor(`${base}/graphql`),
    );

  const restrict = vi.fn();
  const operation = (context: Partial<RouterContext>) =>
    ({
      kind: 'incoming operation',
      request: { query: '{ a }', variables: { n: 1 }, operationName: 'A' },
      context,
      incomingRequestContext: { overallCachePolicy: { restrict } },
    }) as unknown as GraphQLDataSourceProcessOptions<RouterContext>;

  it('sends the query, the secret and the verified caller, nothing the client sent', async () => {
    let seen: { headers: IncomingMessage['headers']; body: string } | undefined;
    handler = (req, body, res) => {
      seen = { headers: req.headers, body };
      json(res, 200, { data: { a: 1 } }, { 'cache-control': 'max-age=30, private' });
    };
    restrict.mockClear();
    const response = await source().process(
      operation({
        requestId: 'req-12345678',
        clientAddress: '10.1.2.3',
        caller: { id: 'u1', username: 'ada lovelace' },
      }),
    );
    expect(response).toEqual({ data: { a: 1 } });
    expect(JSON.parse(seen!.body)).toEqual({
      query: '{ a }',
      variables: { n: 1 },
      operationName: 'A',
    });
    expect(seen!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-router-secret': 'the-secret',
      'x-request-id': 'req-12345678',
      'x-client-address': '10.1.2.3',
      'x-user-id': 'u1',
      'x-user-name': 'ada%20lovelace',
    });
    expect(restrict).toHaveBeenCalledWith({ maxAge: 30, scope: 'PRIVATE' });
  });

  it('an anonymous operation carries no user headers', async () => {
    let headers: IncomingMessage['headers'] = {};
    handler = (req, _body, res) => {
      headers = req.headers;
      json(res, 200, { data: {} }, { 'cache-control': 'no-store' });
    };
    restrict.mockClear();
    await source().process(
      operation({ requestId: 'req-12345678', clientAddress: '10.1.2.3', caller: null }),
    );
    expect(headers['x-user-id']).toBeUndefined();
    expect(headers['x-user-name']).toBeUndefined();
    expect(restrict).toHaveBeenCalledWith({ maxAge: 0 });
  });

  it.each([
    [401, 'UNAUTHENTICATED'],
    [403, 'FORBIDDEN'],
    [500, undefined],
  ])('HTTP %i becomes a GraphQLError as Apollo makes it', async (status, code) => {
    handler = (_req, _body, res) => json(res, status, { errors: [{ message: 'no' }] });
    const error = (await source()
      .process(operation({ requestId: 'req-12345678', clientAddress: 'x', caller: null }))
      .catch((e: unknown) => e)) as GraphQLError;
    expect(error).toBeInstanceOf(GraphQLError);
    expect(error.message).toMatch(new RegExp(`^${status}: `));
    expect(error.extensions['code']).toBe(code);
    expect(error.extensions['response']).toEqual({
      url: `${base}/graphql`,
      status,
      statusText: error.message.slice(5),
      body: { errors: [{ message: 'no' }] },
    });
  });

  it('an answer that is not a JSON object names the subgraph', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello');
    };
    await expect(
      source().process(operation({ requestId: 'req-12345678', clientAddress: 'x', caller: null })),
    ).rejects.toThrow(
      'The math subgraph failed (Expected JSON response body, but received: hello)',
    );
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":');
    };
    await expect(
      source().process(operation({ requestId: 'req-12345678', clientAddress: 'x', caller: null })),
    ).rejects.toThrow(/^The math subgraph failed \(/);
  });
});
