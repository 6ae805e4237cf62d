/**
 * Which client a request comes from, for rate limits and login counters. Normally the
 * connecting address. The web app's server (client/server.js) proxies every browser, so it
 * sends the browser's address in X-Forwarded-For together with `CLIENT_PROXY_SECRET`; only a
 * request carrying that secret has its forwarded address believed, so nobody else can choose
 * the address they are counted under.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { sameSecret } from '@microservice-math/shared/routerContext';

export const CLIENT_PROXY_SECRET_HEADER = 'x-client-proxy-secret';

export type ClientAddressOf = (req: IncomingMessage) => string;

export function clientAddressResolver(proxySecret: string | undefined): ClientAddressOf {
  return (req) => {
    const connecting = req.socket.remoteAddress ?? 'unknown';
    const secret = req.headers[CLIENT_PROXY_SECRET_HEADER];
    if (!proxySecret || typeof secret !== 'string' || !sameSecret(secret, proxySecret))
      return connecting;
    // The proxy appends the address it saw to whatever the browser sent: the last entry is
    // the only one it vouches for.
    const forwarded = String(req.headers['x-forwarded-for'] ?? '')
      .split(',')
      .at(-1)
      ?.trim();
    return forwarded && isIP(forwarded) ? forwarded : connecting;
  };
}
