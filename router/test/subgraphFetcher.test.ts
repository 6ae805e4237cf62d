/**
 * The subgraph HTTP client: what Apollo's data source reads from a response, connections kept
 * alive, and a deadline on the whole call (a subgraph that sends headers and then stalls is as
 * late as one that never answers).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whyUnreachable } from '../src/gateway/subgraphFailure.js';
import { subgraphClients } from '../src/gateway/subgraphFetcher.js';

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

const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-extra': 'yes' });
  res.end(JSON.stringify(value));
};

describe('subgraph clients', () => {
  it('sends method, headers and body, and answers what Apollo reads', async () => {
    handler = (req, body, res) =>
      json(res, 200, { data: { method: req.method, secret: req.headers['x-secret'], body } });
    const clients = subgraphClients(2_000);
    const url = `${base}/graphql`;
    const response = await clients.fetcherFor(url)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-secret': 's3' },
      body: '{"query":"{ a }"}',
    });
    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect(response.statusText).toBe('OK');
    expect(response.url).toBe(url);
    expect(response.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(response.headers.has('X-Extra')).toBe(true);
    expect(response.headers.get('x-missing')).toBeNull();
    expect(await response.json()).toEqual({
      data: { method: 'POST', secret: 's3', body: '{"query":"{ a }"}' },
    });
    expect(response.bodyUsed).toBe(true);
    await clients.close();
  });

  it('passes an HTTP error on with its status and body', async () => {
    handler = (_req, _body, res) => json(res, 403, { errors: [{ message: 'no' }] });
    const clients = subgraphClients(2_000);
    const url = `${base}/graphql`;
    const response = await clients.fetcherFor(url)(url, { method: 'POST', body: '{}' });
    expect(response.ok).toBe(false);
    expect(response.status).toBe(403);
    expect(response.statusText).toBe('Forbidden');
    expect(await response.text()).toBe('{"errors":[{"message":"no"}]}');
    await clients.close();
  });

  it('keeps one connection alive across calls, one pool per origin', async () => {
    handler = (_req, _body, res) => json(res, 200, { data: {} });
    const clients = subgraphClients(2_000);
    const url = `${base}/graphql`;
    const fetcher = clients.fetcherFor(url);
    expect(clients.fetcherFor(url)).toBe(fetcher);
    const before = connectionCount;
    for (let i = 0; i < 20; i++) await (await fetcher(url, { method: 'POST', body: '{}' })).json();
    const other = `${base}/other`;
    await (await clients.fetcherFor(other)(other, { method: 'POST', body: '{}' })).json();
    // A call that follows the previous answer at once may find its connection not yet released.
    expect(connectionCount - before).toBeLessThanOrEqual(2);
    await clients.close();
  });

  it('stops a subgraph that never answers at the deadline, as a TimeoutError', async () => {
    handler = () => {};
    const clients = subgraphClients(300);
    const url = `${base}/graphql`;
    const started = performance.now();
    const error = await clients
      .fetcherFor(url)(url, { method: 'POST', body: '{}' })
      .catch((e: unknown) => e);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(whyUnreachable(error, 300)).toBe('did not answer within 300 ms');
    await clients.close();
  });

  it('stops a subgraph that sends its headers and then stalls, at the same deadline', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":');
    };
    const clients = subgraphClients(300);
    const url = `${base}/graphql`;
    const started = performance.now();
    const response = await clients.fetcherFor(url)(url, { method: 'POST', body: '{}' });
    const error = await response.json().catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(whyUnreachable(error, 300)).toBe('did not answer within 300 ms');
    await clients.close();
  });

  it('names a refused connection by its code', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const clients = subgraphClients(2_000);
    const url = `http://127.0.0.1:${port}/graphql`;
    const error = await clients
      .fetcherFor(url)(url, { method: 'POST', body: '{}' })
      .catch((e: unknown) => e);
    expect(whyUnreachable(error, 2_000)).toBe('is unreachable (ECONNREFUSED)');
    await clients.close();
  });

  it('refuses a URL on another origin than the one its pool serves', async () => {
    const clients = subgraphClients(2_000);
    const url = `${base}/graphql`;
    await expect(
      clients.fetcherFor(url)('http://127.0.0.1:1/graphql', { method: 'POST' }),
    ).rejects.toThrow(/is not on/);
    await clients.close();
  });
});
