// @vitest-environment node
/**
 * The client's server against a stand-in router (plain HTTP and a WebSocket echo on /graphql):
 * static files, the single-page fallback, and the same-origin proxy for both protocols.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import {
  HEADERS_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
  TIMEOUT_CHECK_INTERVAL_MS,
} from '@microservice-math/shared/serverTimeouts';
import { clientConfigFrom, createClientServer, type ClientServer } from '../server.js';

interface FakeRouter {
  url: string;
  server: Server;
  sockets: WebSocketServer;
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
}

let distDir: string;
let router: FakeRouter;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  distDir = await mkdtemp(join(tmpdir(), 'client-dist-'));
  await mkdir(join(distDir, 'assets'));
  await writeFile(join(distDir, 'index.html'), '<!doctype html><title>app</title>');
  await writeFile(join(distDir, 'assets', 'index-abc123.js'), 'console.log(1)');
  router = await startFakeRouter();
});

afterAll(async () => {
  router.sockets.close();
  await new Promise((resolve) => router.server.close(resolve));
  await rm(distDir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function startFakeRouter(): Promise<FakeRouter> {
  const requests: FakeRouter['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { echo: body } }));
    });
  });
  const sockets = new WebSocketServer({ server, path: '/graphql' });
  sockets.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo:${data}`)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, sockets, requests };
}

async function startClient(
  routerUrl = router.url,
): Promise<{ base: string; client: ClientServer }> {
  const client = createClientServer({ routerUrl, distDir, logger: { warn: () => {} } });
  const port = await client.listen(0, '127.0.0.1');
  closers.push(() => client.close());
  return { base: `http://127.0.0.1:${port}`, client };
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('createClientServer', () => {
  it('refuses to start without a build', () => {
    expect(() =>
      createClientServer({ routerUrl: router.url, distDir: join(distDir, 'nope') }),
    ).toThrow(/npm run build -w client/);
  });

  it('gives a client as long to send its request as the services do, and no longer', async () => {
    const { client } = await startClient();
    expect(client.server.headersTimeout).toBe(HEADERS_TIMEOUT_MS);
    expect(client.server.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
    // Checked every second: Node's default, 30 s, would let a slow client hold on that much longer.
    // Node keeps the option on the server; @types/node does not declare it.
    const checked = client.server as { connectionsCheckingInterval?: number };
    expect(checked.connectionsCheckingInterval).toBe(TIMEOUT_CHECK_INTERVAL_MS);
  });

  it('serves the app for any page a browser opens, so deep links work', async () => {
    const { base } = await startClient();
    for (const path of ['/', '/logs/recent']) {
      const response = await fetch(`${base}${path}`, { headers: { accept: 'text/html' } });
      expect(response.status, path).toBe(200);
      expect(await response.text()).toContain('<title>app</title>');
      expect(response.headers.get('cache-control')).toBe('no-cache');
    }
  });

  it('sends security headers with the app: CSP (no framing), nosniff, no referrer', async () => {
    const { base } = await startClient();
    const response = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp.split('; ')).toContain("connect-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });

  it('serves the app at / whatever the Accept header, as health checks fetch it', async () => {
    const { base } = await startClient();
    const response = await fetch(`${base}/`, { headers: { accept: '*/*' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves fingerprinted assets as immutable and a missing one as 404, not as the app', async () => {
    const { base } = await startClient();
    const asset = await fetch(`${base}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');

    const missing = await fetch(`${base}/assets/gone.js`, { headers: { accept: '*/*' } });
    expect(missing.status).toBe(404);
  });

  it.each([
    { what: 'a missing file', path: '/assets/gone%3Cb%3E.js', range: '', status: 404 },
    { what: 'a malformed path', path: '/assets/%E0%A4%A', range: '', status: 400 },
    {
      what: 'an unsatisfiable range',
      path: '/assets/index-abc123.js',
      range: 'bytes=999999-',
      status: 416,
    },
  ])(
    'answers $what with $status in a line of its own, no stack trace, nothing echoed',
    async ({ path, range, status }) => {
      const { base } = await startClient();
      const response = await fetch(`${base}${path}`, {
        headers: { accept: '*/*', ...(range ? { range } : {}) },
      });
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.text()).toBe(`${STATUS_CODES[status]}\n`);
    },
  );

  it.each(['POST', 'PUT', 'DELETE'])(
    'answers %s on its pages 405 with the methods allowed, in a line of its own',
    async (method) => {
      const { base } = await startClient();
      for (const path of ['/', '/logs/recent', '/assets/index-abc123.js']) {
        const response = await fetch(`${base}${path}`, {
          method,
          headers: { accept: 'text/html' },
        });
        expect(response.status, path).toBe(405);
        expect(response.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
        expect(await response.text()).toBe(`${STATUS_CODES[405]}\n`);
      }
    },
  );

  it('answers OPTIONS on its pages 204 with the methods allowed', async () => {
    const { base } = await startClient();
    const response = await fetch(`${base}/`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });

  it('proxies /graphql over HTTP to the router, keeping the body and headers', async () => {
    const { base } = await startClient();
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer abc' },
      body: '{"query":"{ me { id } }"}',
    });
    expect(await response.json()).toEqual({ data: { echo: '{"query":"{ me { id } }"}' } });
    const seen = router.requests.at(-1);
    expect(seen?.url).toBe('/graphql');
    expect(seen?.headers['authorization']).toBe('Bearer abc');
    expect(seen?.headers['x-forwarded-for']).toBeDefined();
  });

  it('proxies a WebSocket upgrade on /graphql to the router', async () => {
    const { base } = await startClient();
    const socket = await openSocket(`${base.replace('http', 'ws')}/graphql`);
    const reply = new Promise((resolve) => socket.once('message', (data) => resolve(String(data))));
    socket.send('ping');
    expect(await reply).toBe('echo:ping');
    socket.close();
  });

  it('refuses WebSocket upgrades on other paths', async () => {
    const { base } = await startClient();
    await expect(openSocket(`${base.replace('http', 'ws')}/elsewhere`)).rejects.toThrow();
  });

  it('ends proxied WebSockets on close(), at both ends', async () => {
    const { base, client } = await startClient();
    const routerSide = new Promise<WebSocket>((resolve) =>
      router.sockets.once('connection', resolve),
    );
    const browserSide = await openSocket(`${base.replace('http', 'ws')}/graphql`);
    const routerSocket = await routerSide;
    const browserClosed = new Promise((resolve) => browserSide.once('close', resolve));
    const routerClosed = new Promise((resolve) => routerSocket.once('close', resolve));

    await client.close();

    await expect(browserClosed).resolves.toBeDefined();
    await expect(routerClosed).resolves.toBeDefined();
  });

  it('answers 502 with a GraphQL error when the router is down', async () => {
    const { base } = await startClient('http://127.0.0.1:9');
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ me { id } }"}',
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ errors: [{ message: 'The router is not reachable' }] });
  });
});

describe('clientConfigFrom', () => {
  it('defaults to port 8501 and the router on localhost:8000', () => {
    expect(clientConfigFrom({})).toEqual({
      port: 8501,
      routerUrl: 'http://localhost:8000',
      host: '127.0.0.1',
    });
  });

  it('names each bad variable and what it expects', () => {
    expect(() => clientConfigFrom({ CLIENT_PORT: 'eighty', ROUTER_URL: 'localhost:8000' })).toThrow(
      /CLIENT_PORT: expected a port[\s\S]*ROUTER_URL: expected a URL/,
    );
  });
});
