/**
 * NODE_ENV=production on the router: no introspection, no playground (unless PLAYGROUND=true),
 * no stack traces or field suggestions in errors, and a fault of ours reaches the client only
 * as INTERNAL_SERVER_ERROR with a request id that finds the full story in the log.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FormattedExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, collect, gql, wsClient } from '../../tests/support/graphql.js';
import { capturedLog, type CapturedLog } from './support/capturedLog.js';
import { serviceSet, type Running, type ServiceSet } from './support/services.js';

let services: ServiceSet;
let auth: Running;
let token: string;
/** The same router in development: the control for what production leaves out. */
let developmentRouter: Running;
/**
 * A math that answers, but not GraphQL: a fault of ours as the router sees it. (A math that does
 * not answer at all is SERVICE_UNAVAILABLE, a refusal the client may read.)
 */
let brokenMath: Server;
let math: string;

async function productionRouter(env: Record<string, string> = {}, logger?: CapturedLog) {
  return services.startRouter(
    { auth: auth.url, math },
    { env: { NODE_ENV: 'production', ...env }, ...(logger ? { logger: logger.logger } : {}) },
  );
}

const browserGet = (url: string) => fetch(url, { headers: { accept: 'text/html' } });
const introspection = '{ __schema { queryType { name } } }';

beforeAll(async () => {
  brokenMath = createServer((_req, res) => res.end('<html>not GraphQL</html>'));
  await new Promise<void>((resolve) => brokenMath.listen(0, '127.0.0.1', resolve));
  math = `http://127.0.0.1:${(brokenMath.address() as AddressInfo).port}/graphql`;
  services = serviceSet();
  auth = await services.startAuth();
  developmentRouter = await services.startRouter({ auth: auth.url, math });
  const registered = await gql<{ register: { token: string } }>(
    developmentRouter.url,
    'mutation { register(username: "prod_user", password: "long-password") { token } }',
  );
  token = registered.data!.register.token;
});
afterAll(async () => {
  await services?.close();
  await new Promise((resolve) => brokenMath?.close(resolve));
});

describe('a production router', () => {
  let router: Running;
  let log: CapturedLog;

  beforeAll(async () => {
    log = capturedLog();
    router = await productionRouter({}, log);
  });

  it('serves no /metrics without METRICS_TOKEN', async () => {
    const response = await fetch(router.url.replace(/\/graphql$/, '/metrics'));
    expect(response.status).toBe(404);
  });

  it('serves /metrics only with the bearer METRICS_TOKEN when one is set', async () => {
    const withToken = await productionRouter({ METRICS_TOKEN: 'metrics-token-0123456789' });
    const metricsUrl = withToken.url.replace(/\/graphql$/, '/metrics');
    expect((await fetch(metricsUrl)).status).toBe(401);
    expect((await fetch(metricsUrl, { headers: bearer('a-wrong-token-000000000') })).status).toBe(
      401,
    );
    const scraped = await fetch(metricsUrl, { headers: bearer('metrics-token-0123456789') });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('# TYPE');
    // RFC 7235: the scheme in any case, then one or more spaces.
    const spaced = await fetch(metricsUrl, {
      headers: { authorization: 'bearer   metrics-token-0123456789' },
    });
    expect(spaced.status).toBe(200);
    await spaced.text();
  });

  it('refuses introspection without naming the server or how to configure it', async () => {
    const result = await gql(router.url, introspection);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toBe(
      'GraphQL introspection has been disabled, but the requested query contained the field "__schema".',
    );
    const byType = await gql(router.url, '{ __type(name: "Query") { name } }');
    expect(byType.errors?.[0]?.message).toMatch(/^GraphQL introspection has been disabled/);
  });

  it('refuses introspection over graphql-ws and SSE as the validation error it is over HTTP', async () => {
    // HTTP's refusal: the same errors over each transport.
    const overHttp = await gql(router.url, introspection, {}, bearer(token));
    expect(overHttp.status).toBe(400);
    const refusal = overHttp.errors;
    expect(refusal?.[0]).toMatchObject({
      message:
        'GraphQL introspection has been disabled, but the requested query contained the field "__schema".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    // An `error` message, as for any invalid operation: no `next` with `data: null`.
    const client = wsClient(router.url, token);
    const sent: unknown[] = [];
    await new Promise<void>((resolve) =>
      client.subscribe(
        { query: introspection },
        {
          next: (value) => sent.push({ next: value }),
          error: (error) => {
            sent.push({ error });
            resolve();
          },
          complete: () => resolve(),
        },
      ),
    );
    await client.dispose();
    expect(sent).toEqual([{ error: refusal }]);

    const stream = await fetch(`${router.url}/stream`, {
      method: 'POST',
      headers: {
        ...bearer(token),
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({ query: introspection }),
    });
    expect(stream.status).toBe(400);
    expect(await stream.json()).toEqual({ errors: refusal });
  });

  it('answers a path it does not serve with a JSON 404 that names no framework', async () => {
    for (const path of ['/nothing-here', '/.well-known/jwks.json']) {
      const response = await fetch(router.url.replace(/\/graphql$/, path));
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ errors: [{ message: 'Not found' }] });
    }
  });

  it('serves no playground to a browser', async () => {
    const page = await browserGet(router.url);
    expect(page.headers.get('content-type')).not.toMatch(/text\/html/);
    // It says so, rather than Apollo's CSRF refusal a browser's GET would otherwise get.
    expect(page.status).toBe(400);
    expect(await page.json()).toEqual({
      errors: [
        {
          message:
            'This router serves no playground: send GraphQL operations with POST (or a query with GET and ?query=)',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    });
    // A GET that carries a query is GraphQL over GET, as before.
    const query = await fetch(`${router.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'text/html, application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('suggests no field names, over HTTP or WebSocket, and sends no stack trace', async () => {
    const overHttp = await gql(router.url, '{ me { usernam } }', {}, bearer(token));
    expect(overHttp.errors?.[0]?.message).toBe('Cannot query field "usernam" on type "User".');
    expect(overHttp.errors?.[0]?.extensions).not.toHaveProperty('stacktrace');

    const client = wsClient(router.url, token);
    // collect() rejects with the errors graphql-ws delivered, as JSON.
    const refusal = await collect(client, 'subscription { logAdded { operatio } }', 1).done.then(
      () => undefined,
      (error: Error) => JSON.parse(error.message) as Array<{ message: string }>,
    );
    expect(refusal?.[0]?.message).toBe('Cannot query field "operatio" on type "RequestLog".');
    await client.dispose();
  });

  it('passes on no subgraph name (extensions.serviceName) or stack trace, over HTTP or WebSocket', async () => {
    // Refusals auth answers, which the gateway passes on with the subgraph's name.
    const wrongPassword =
      'mutation { login(username: "prod_user", password: "a-wrong-password") { token } }';
    const taken =
      'mutation { register(username: "prod_user", password: "long-password") { token } }';
    for (const query of [wrongPassword, taken]) {
      // In development the gateway passes both on: there is something to drop.
      const development = await gql(developmentRouter.url, query);
      expect(development.errors?.[0]?.extensions, query).toMatchObject({
        serviceName: 'auth',
        stacktrace: expect.any(Array),
      });
      const result = await gql(router.url, query);
      expect(result.errors?.[0]?.extensions?.['code'], query).toMatch(
        /^(UNAUTHENTICATED|USERNAME_TAKEN)$/,
      );
      expect(result.errors?.[0]?.extensions, query).not.toHaveProperty('serviceName');
      // This auth runs in development and sends a stack trace; the production router drops it.
      expect(result.errors?.[0]?.extensions, query).not.toHaveProperty('stacktrace');
    }
    const client = wsClient(router.url, token);
    const overSocket = await new Promise<FormattedExecutionResult>((resolve, reject) =>
      client.subscribe({ query: taken }, { next: resolve, error: reject, complete: () => {} }),
    );
    await client.dispose();
    expect(overSocket.errors?.[0]?.extensions).toMatchObject({ code: 'USERNAME_TAKEN' });
    expect(overSocket.errors?.[0]?.extensions).not.toHaveProperty('serviceName');
    expect(overSocket.errors?.[0]?.extensions).not.toHaveProperty('stacktrace');
  });

  it('masks an unexpected error to INTERNAL_SERVER_ERROR with the request id of its log line', async () => {
    const result = await gql(router.url, '{ factorial(n: 5) { result } }', {}, bearer(token));
    const requestId = result.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    expect(result.errors).toEqual([
      {
        message: `Internal server error (request id ${requestId})`,
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
      },
    ]);
    const line = await log.waitFor(
      (l) => l['requestId'] === requestId && l['msg'] === 'unexpected error',
    );
    expect(JSON.stringify(line['err'])).toMatch(/math/);
  });
});

describe('a production router with PLAYGROUND=true', () => {
  let router: Running;

  beforeAll(async () => {
    router = await productionRouter({ PLAYGROUND: 'true' });
  });

  it('serves the playground page and allows the introspection it needs', async () => {
    const page = await browserGet(router.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const result = await gql(router.url, introspection);
    expect(result.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});
