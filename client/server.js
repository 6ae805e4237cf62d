// @ts-check
/**
 * Serves the built client (`client/dist`) and proxies `/graphql` (HTTP and WebSocket upgrade) to
 * the router, so the browser only ever talks to its own origin: no CORS, and the WebSocket URL is
 * derived from the page's. The one-process start imports `createClientServer`; run directly
 * (`npm run start:client`) it reads CLIENT_PORT, ROUTER_URL and HOST.
 */
import { existsSync } from 'node:fs';
import { createServer, STATUS_CODES } from 'node:http';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { listenEnvShape, listenHost, localUrlHost } from '@microservice-math/shared/config';
import { listenError } from '@microservice-math/shared/listenError';
import { precompressedAssets } from '@microservice-math/shared/precompressed';
import { serverTimeouts } from '@microservice-math/shared/serverTimeouts';

const GRAPHQL_PATH = '/graphql';
/** The router's name for it (router/src/http/clientAddress.ts). */
const PROXY_SECRET_HEADER = 'x-client-proxy-secret';
export const defaultDistDir = fileURLToPath(new URL('./dist', import.meta.url));

/**
 * @param {import('./server.js').ClientServerOptions} options
 * @returns {import('./server.js').ClientServer}
 */
export function createClientServer({
  routerUrl,
  distDir = defaultDistDir,
  logger = console,
  proxySecret,
}) {
  const indexHtml = join(resolve(distDir), 'index.html');
  const assetsDir = join(resolve(distDir), 'assets') + sep;
  if (!existsSync(indexHtml)) {
    throw new Error(`No client build at ${distDir}: run \`npm run build -w client\` first`);
  }

  /** Both ends of every proxied WebSocket, so close() can end them; a socket leaves on close. */
  const openSockets = new Set();
  /** @param {import('node:net').Socket} socket */
  const track = (socket) => {
    openSockets.add(socket);
    socket.once('close', () => openSockets.delete(socket));
  };

  /** Responses whose browser went away before they were sent: their proxy errors are expected. */
  const abandoned = new WeakSet();

  const proxy = createProxyMiddleware({
    target: routerUrl,
    pathFilter: GRAPHQL_PATH,
    changeOrigin: true,
    ws: true,
    xfwd: true,
    on: {
      // With the secret, the router believes the X-Forwarded-For that `xfwd` appends (the
      // browser's address), so its limits count each browser instead of this server. Set
      // here, it replaces whatever a browser sent under the same name.
      proxyReq: (proxyReq, _req, res) => {
        if (proxySecret) proxyReq.setHeader(PROXY_SECRET_HEADER, proxySecret);
        // The proxy ends its request to the router when the browser's request is cut off
        // mid-body, not when the browser goes away after sending it (the web app's Cancel):
        // then the router would compute an answer nobody reads and log it as answered. A
        // browser that goes away ends the router's request too, which cancels the work there.
        res.once('close', () => {
          if (res.writableFinished) return;
          abandoned.add(res);
          proxyReq.destroy();
        });
      },
      proxyReqWs: (proxyReq) => {
        if (proxySecret) proxyReq.setHeader(PROXY_SECRET_HEADER, proxySecret);
      },
      open: (proxySocket) => track(proxySocket),
      error: (error, _req, res) => {
        if (abandoned.has(res)) return;
        logger.warn(`client: proxy to ${routerUrl} failed: ${error.message}`);
        if ('writeHead' in res) {
          if (!res.headersSent) {
            res.writeHead(502, { 'content-type': 'application/json' });
          }
          res.end(JSON.stringify({ errors: [{ message: 'The router is not reachable' }] }));
        } else {
          res.destroy();
        }
      },
    },
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(proxy);
  app.use(securityHeaders);
  app.use(readOnly);
  app.use(precompressedAssets(distDir));
  app.use(
    express.static(distDir, {
      setHeaders: (res, path) => {
        // Vite fingerprints everything under assets/, so those files never change; the page
        // that names them must be revalidated so a new build is picked up.
        if (path.startsWith(assetsDir)) {
          res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        } else if (path === indexHtml) {
          res.setHeader('cache-control', 'no-cache');
        }
      },
    }),
  );
  // Any other page a browser navigates to is the single-page app. Scripts and images are fetched
  // with `Accept: */*`, so a missing asset stays a 404 instead of becoming HTML.
  app.get('/{*path}', (req, res, next) => {
    if (!req.headers.accept?.includes('text/html')) return next();
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(indexHtml);
  });

  // Express's own end would answer with an HTML page that echoes the path and, outside
  // production, the error's stack trace (file paths and all); this one says only the status.
  // A client that sends its request slowly is cut off as at the router (serverTimeouts.ts).
  const server = createServer(serverTimeouts(), (req, res) =>
    app(req, res, (/** @type {unknown} */ error) => {
      if (res.headersSent) return void res.end();
      const status = statusOf(error);
      if (status >= 500) logger.warn(`client: ${req.method} ${req.url} failed: ${String(error)}`);
      res.writeHead(status, {
        'content-type': 'text/plain; charset=utf-8',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      res.end(`${STATUS_CODES[status] ?? 'Error'}\n`);
    }),
  );
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== GRAPHQL_PATH) {
      socket.destroy();
      return;
    }
    track(/** @type {import('node:net').Socket} */ (socket));
    proxy.upgrade(req, /** @type {import('node:net').Socket} */ (socket), head);
  });

  /** @type {Promise<void> | undefined} */
  let closing;

  return {
    app,
    server,
    listen(port = 0, host) {
      return new Promise((resolveListen, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          resolveListen(typeof address === 'object' && address !== null ? address.port : port);
        });
      });
    },
    close() {
      closing ??= new Promise((resolveClose, reject) => {
        server.close((error) => (error ? reject(error) : resolveClose()));
        for (const socket of openSockets) socket.destroy();
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/**
 * The HTTP status of what reached the end of the app: 404 when nothing answered, an error's
 * own 4xx (a malformed path, an unsatisfiable range), else 500.
 * @param {unknown} error
 */
function statusOf(error) {
  if (error === undefined) return 404;
  const status = /** @type {{ status?: unknown }} */ (error).status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}

/**
 * What the browser may do with the app's pages: load code only from this origin, talk to it
 * (GraphQL over HTTP and WebSocket), never be framed (clickjacking), never sniff a type, and
 * never leak the page's URL to another site. Vue's runtime build needs no `eval`; `style-src`
 * allows inline styles, which Vue sets through style bindings. `connect-src 'self'` covers the
 * page's own `ws:`/`wss:` origin (CSP Level 3); bare `ws:` `wss:` would let an injected script
 * open a socket to any host and send the token it read from storage there.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The app's pages and files are only read (GraphQL went to the proxy before this): OPTIONS says
 * so, any other method is a 405 with the same list, not a 404 for a page that exists.
 * @type {import('express').RequestHandler}
 */
function readOnly(req, res, next) {
  if (req.method === 'GET' || req.method === 'HEAD') return next();
  res.setHeader('allow', 'GET, HEAD, OPTIONS');
  if (req.method === 'OPTIONS') return void res.status(204).end();
  next(Object.assign(new Error(`${req.method} is not allowed`), { status: 405 }));
}

/** @type {import('express').RequestHandler} */
function securityHeaders(_req, res, next) {
  res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  next();
}

/**
 * @param {Record<string, string | undefined>} env
 * @returns {{ port: number; routerUrl: string; proxySecret: string | undefined; host: string | undefined }}
 */
export function clientConfigFrom(env) {
  const problems = [];
  const rawPort = env['CLIENT_PORT'] || '8501';
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) {
    problems.push(
      `  CLIENT_PORT: expected a port between 0 and 65535 (got ${JSON.stringify(rawPort)})`,
    );
  }
  const routerUrl = env['ROUTER_URL'] || 'http://localhost:8000';
  if (!isHttpUrl(routerUrl)) {
    problems.push(
      `  ROUTER_URL: expected a URL like http://localhost:8000 (got ${JSON.stringify(routerUrl)})`,
    );
  }
  const proxySecret = env['CLIENT_PROXY_SECRET'] || undefined;
  if (proxySecret !== undefined && proxySecret.length < 16) {
    problems.push('  CLIENT_PROXY_SECRET: expected at least 16 characters');
  }
  // HOST by the services' own rule (listenEnvShape, listenHost in packages/shared/src/config.ts):
  // unset, every interface in production, this machine only otherwise.
  const parsedHost = listenEnvShape.HOST.safeParse(env['HOST']);
  if (!parsedHost.success) {
    problems.push(
      `  HOST: ${parsedHost.error.issues[0]?.message} (got ${JSON.stringify(env['HOST'])})`,
    );
  }
  const host = listenHost(
    { HOST: parsedHost.success ? parsedHost.data : undefined },
    env['NODE_ENV'] === 'production',
  );
  if (problems.length > 0) throw new Error(`Invalid configuration:\n${problems.join('\n')}`);
  return { port, routerUrl, proxySecret, host };
}

/** @param {string} value */
function isHttpUrl(value) {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

async function main() {
  const { port, routerUrl, proxySecret, host } = clientConfigFrom(process.env);
  const clientServer = createClientServer({ routerUrl, proxySecret });
  // A port taken or a HOST not of this machine is said in one line naming the variable, as the
  // services say it, instead of Node's own `listen EADDRNOTAVAIL: address not available …`.
  const boundPort = await clientServer.listen(port, host).catch((/** @type {unknown} */ error) => {
    throw listenError('client', port, /** @type {NodeJS.ErrnoException} */ (error));
  });
  process.stdout.write(
    `client: http://${localUrlHost(host)}:${boundPort} (proxying ${GRAPHQL_PATH} to ${routerUrl})\n`,
  );
  if (!proxySecret)
    // Not an error (a router may sit behind another trusted proxy), but the default is costly.
    process.stderr.write(
      'client: CLIENT_PROXY_SECRET is unset: the router cannot believe the browser addresses ' +
        'this server forwards, so every browser shares its rate and login limits; give the ' +
        'router and this server the same CLIENT_PROXY_SECRET\n',
    );
  const stop = () => {
    clientServer.close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
