/**
 * A subgraph going away and coming back: fields of the live subgraph keep answering, the
 * missing one's fields get an error naming it (never a hang past the subgraph timeout), /ready
 * says which one is missing, and everything answers again once it is back, with no restart.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../tests/support/processes.js';
import { bearer, gql, signUp } from '../../tests/support/graphql.js';
import { serviceSet, type Running, type ServiceSet } from './support/services.js';

async function ready(routerUrl: string) {
  const response = await fetch(routerUrl.replace(/\/graphql$/, '/ready'));
  return {
    status: response.status,
    checks: ((await response.json()) as { checks: Record<string, string> }).checks,
  };
}

const factorial = '{ factorial(n: 5) { result } }';

describe('math stops while the router runs', () => {
  let services: ServiceSet;
  let auth: Running;
  let math: Running;
  let router: Running;
  let token: string;

  beforeAll(async () => {
    services = serviceSet();
    auth = await services.startAuth();
    math = await services.startMath();
    router = await services.startRouter({ auth: auth.url, math: math.url });
    token = (await signUp(router.url, 'outage_user')).token;
  });
  afterAll(async () => {
    await services?.close();
  });

  it('answers auth fields, names math in the error for its fields, recovers when math returns', async () => {
    expect((await gql(router.url, factorial, {}, bearer(token))).errors).toBeUndefined();
    const mathPort = math.host.port;
    await math.host.close();

    const me = await gql<{ me: { username: string } }>(
      router.url,
      '{ me { username } }',
      {},
      bearer(token),
    );
    expect(me.errors).toBeUndefined();
    expect(me.data?.me.username).toBe('outage_user');
    const calculation = await gql(router.url, factorial, {}, bearer(token));
    expect(calculation.errors?.[0]?.message).toMatch(/^The math subgraph is unreachable/);
    expect(calculation.errors?.[0]?.extensions?.['serviceName']).toBe('math');
    expect(await ready(router.url)).toMatchObject({
      status: 503,
      checks: { auth: 'ok', math: expect.stringMatching(/^math subgraph is unreachable/) },
    });

    math = await services.startMath(mathPort);
    // Back in rotation once its /ready says yes (asked every second).
    await vi.waitFor(
      async () => {
        const again = await gql<{ factorial: { result: string } }>(
          router.url,
          factorial,
          {},
          bearer(token),
        );
        expect(again.errors).toBeUndefined();
        expect(again.data?.factorial.result).toBe('120');
      },
      { timeout: 10_000, interval: 100 },
    );
    expect((await ready(router.url)).status).toBe(200);
  });
});

describe('the router starts while math is down', () => {
  let services: ServiceSet;

  beforeAll(() => {
    services = serviceSet();
  });
  afterAll(async () => {
    await services?.close();
  });

  it('starts, serves auth, reports math unready, and uses math once it is up', async () => {
    const auth = await services.startAuth();
    const mathPort = await freePort();
    const router = await services.startRouter({
      auth: auth.url,
      math: `http://localhost:${mathPort}/graphql`,
    });
    const token = (await signUp(router.url, 'early_bird')).token;
    expect((await ready(router.url)).checks['math']).toMatch(/unreachable/);
    expect((await gql(router.url, factorial, {}, bearer(token))).errors?.[0]?.message).toMatch(
      /math subgraph/,
    );

    await services.startMath(mathPort);
    await vi.waitFor(
      async () => {
        const result = await gql<{ factorial: { result: string } }>(
          router.url,
          factorial,
          {},
          bearer(token),
        );
        expect(result.data?.factorial.result).toBe('120');
      },
      { timeout: 10_000, interval: 100 },
    );
    expect((await ready(router.url)).status).toBe(200);
  });
});

describe('a subgraph that accepts connections and never answers', () => {
  const timeoutMs = 500;
  let services: ServiceSet;
  let blackHole: Server;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    services = serviceSet();
    blackHole = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, resolve));
  });
  afterEach(() => {
    for (const socket of sockets) socket.destroy();
  });
  afterAll(async () => {
    await new Promise((resolve) => blackHole?.close(resolve));
    await services?.close();
  });

  it(`gets an error after ROUTER_SUBGRAPH_TIMEOUT_MS (${timeoutMs} ms), not a hang`, async () => {
    const auth = await services.startAuth();
    const { port } = blackHole.address() as { port: number };
    const urls = { auth: auth.url, math: `http://localhost:${port}/graphql` };
    // Registered through a router with the default timeout: hashing a password can take longer
    // than 500 ms on a busy machine.
    const token = (await signUp((await services.startRouter(urls)).url, 'patient_user')).token;
    const router = await services.startRouter(urls, {
      env: { ROUTER_SUBGRAPH_TIMEOUT_MS: String(timeoutMs) },
    });

    const started = performance.now();
    const result = await gql(router.url, factorial, {}, bearer(token));
    const elapsed = performance.now() - started;
    expect(result.errors?.[0]?.message).toBe(
      `The math subgraph did not answer within ${timeoutMs} ms`,
    );
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 50);
    expect(elapsed).toBeLessThan(timeoutMs + 1_000);
  });
});
