/**
 * Hive Gateway (@graphql-hive/gateway) serving the same committed supergraph over the same
 * subgraph processes as our router, for the router-overhead comparison. Started as its own
 * process by bench/lib/services.ts; configured by env: HIVE_PORT, AUTH_URL, MATH_URL,
 * ROUTER_SECRET.
 *
 * Our subgraphs only answer a caller that presents the router secret and the verified user's
 * id and name as headers, so the gateway is given exactly that: a plugin verifies the bearer
 * token with the same verifier our router uses (jose against auth's JWKS), and
 * `propagateHeaders` sends the secret and the user to every subgraph.
 *
 * One default is turned off unless HIVE_DEDUPLICATE_INFLIGHT=true: Hive Gateway merges
 * identical subgraph queries that are in flight at the same time into one fetch. A load test
 * repeats one query from one account, so it would collapse most subgraph calls, a saving real
 * traffic rarely sees, and for math it would skip calculations that must each be logged. Our
 * router makes one subgraph call per request, and so must the gateway it is compared with.
 * Everything else is Hive Gateway's defaults.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createGatewayRuntime, type GatewayPlugin } from '@graphql-hive/gateway';
import { bearerToken, createTokenVerifier } from '@microservice-math/router/auth/tokenVerifier';
import {
  ROUTER_SECRET_HEADER,
  USER_ID_HEADER,
  USERNAME_HEADER,
  type Caller,
} from '@microservice-math/shared/routerContext';
import { subgraphs, supergraphPath } from '@microservice-math/shared/supergraph';
import { JWKS_PATH } from '@microservice-math/shared/tokenClaims';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const port = Number(required('HIVE_PORT'));
const routerSecret = required('ROUTER_SECRET');
const urls: Record<string, string> = { auth: required('AUTH_URL'), math: required('MATH_URL') };
const deduplicateInflightRequests = process.env['HIVE_DEDUPLICATE_INFLIGHT'] === 'true';

/** The committed supergraph with each subgraph's URL replaced by where it runs now. */
function supergraphSdl(): string {
  let sdl = readFileSync(supergraphPath, 'utf8');
  for (const subgraph of subgraphs)
    sdl = sdl.replaceAll(subgraph.url, urls[subgraph.name] as string);
  return sdl;
}

interface CallerContext {
  caller: Caller | null;
}

const verifyToken = createTokenVerifier(new URL(JWKS_PATH, urls['auth']).toString());

const authenticate: GatewayPlugin<CallerContext> = {
  async onContextBuilding({ context, extendContext }) {
    const token = bearerToken(context.request.headers.get('authorization') ?? undefined);
    extendContext({ caller: token ? await verifyToken(token) : null });
  },
};

const gateway = createGatewayRuntime<CallerContext>({
  supergraph: supergraphSdl(),
  logging: 'warn',
  landingPage: false,
  graphiql: false,
  plugins: () => [authenticate],
  transportEntries: { '*.http': { options: { deduplicateInflightRequests } } },
  propagateHeaders: {
    fromClientToSubgraphs: ({ context }) => ({
      [ROUTER_SECRET_HEADER]: routerSecret,
      ...(context.caller
        ? {
            [USER_ID_HEADER]: context.caller.id,
            [USERNAME_HEADER]: encodeURIComponent(context.caller.username),
          }
        : {}),
    }),
  },
});

const server = createServer(gateway);
server.listen(port, '127.0.0.1');
const stop = () =>
  server.close(async () => {
    await gateway.dispose();
    process.exit(0);
  });
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
