/**
 * Attacks that router/test/tokens.test.ts does not already cover (it refuses expired,
 * foreign-key, wrong-audience, wrong-issuer, alg-none and tampered tokens over HTTP and
 * graphql-ws, forged user headers over HTTP, and subgraph calls without the secret):
 *
 * - subgraphs reached around the router with a wrong secret, forged user and all;
 * - forged identity over graphql-ws (headers on the upgrade, user fields in connectionParams);
 * - tokens that abuse the verifier: HMAC signed with the public key, an embedded key, an
 *   unknown key id;
 * - password guessing through the router with aliases, an HTTP batch, parallel connections and
 *   WebSockets, all stopped by the per-call login counters.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import {
  base64url,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
} from 'jose';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@microservice-math/shared/tokenClaims';
import {
  ROUTER_SECRET_HEADER,
  USER_ID_HEADER,
  USERNAME_HEADER,
} from '@microservice-math/shared/routerContext';
import type { Client } from 'graphql-ws';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  closeCode,
  collect,
  connected,
  gql,
  signUp,
  subscriptionsOpen,
  wsClient,
} from '../support/graphql.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

let system: TestSystem;
/** Every URL on 127.0.0.1, so HTTP and WebSocket calls come from one client address. */
let urls: TestSystem['urls'];
const PASSWORD = 'the-real-password';
/** Known to the test only to look behind the router afterwards, as the router would. */
const REAL_SECRET = randomBytes(32).toString('hex');
const FORGED_USER_ID = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  // Login failures from one client across usernames have a cap of their own (50; tested in
  // subgraphs/auth/test/loginAttempts.test.ts): raised here, so that each test below meets
  // only the per-username limit of 5 however many guesses the tests before it made.
  system = await startTestSystem({
    env: { LOGIN_CLIENT_MAX_FAILURES: '1000', ROUTER_SECRET: REAL_SECRET },
  });
  urls = {
    auth: system.urls.auth.replace('localhost', '127.0.0.1'),
    math: system.urls.math.replace('localhost', '127.0.0.1'),
    router: system.urls.router.replace('localhost', '127.0.0.1'),
  };
});
afterAll(async () => {
  await system?.stop();
});

describe('subgraphs reached around the router', () => {
  const secrets = {
    'a wrong secret of the right length': 'f'.repeat(64),
    'a short secret': 'guess',
    'an empty secret': '',
  };
  const calls = {
    'auth, logging in': {
      subgraph: 'auth' as const,
      query: `mutation { login(username: "someone", password: "${PASSWORD}") { token } }`,
    },
    'math, calculating as a forged user': {
      subgraph: 'math' as const,
      query: '{ factorial(n: 5) { result } }',
    },
  };

  it.each(
    Object.entries(calls).flatMap(([call, target]) =>
      Object.entries(secrets).map(([secret, value]) => ({ call, secret, value, ...target })),
    ),
  )('$call with $secret: 403 FORBIDDEN, nothing run', async ({ subgraph, query, value }) => {
    const result = await gql(
      urls[subgraph],
      query,
      {},
      {
        [ROUTER_SECRET_HEADER]: value,
        [USER_ID_HEADER]: FORGED_USER_ID,
        [USERNAME_HEADER]: 'admin',
      },
    );
    expect(result.status).toBe(403);
    expect(result.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(result.data ?? null).toBeNull();
  });

  it('the forged calculations left no log row for the forged user', async () => {
    // Asked with the real secret, as the router asks when it resolves a user's logs.
    const logs = await gql<{ _entities: Array<{ logs: unknown[] }> }>(
      urls.math,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on User { logs { id } } } }',
      { r: [{ __typename: 'User', id: FORGED_USER_ID }] },
      {
        [ROUTER_SECRET_HEADER]: REAL_SECRET,
        [USER_ID_HEADER]: FORGED_USER_ID,
        [USERNAME_HEADER]: 'admin',
      },
    );
    expect(logs.errors).toBeUndefined();
    expect(logs.data?._entities).toEqual([{ logs: [] }]);
  });
});

/** A graphql-ws client whose upgrade request carries `headers`. */
function wsClientWithHeaders(
  headers: Record<string, string>,
  connectionParams: Record<string, unknown>,
): Client {
  class WithHeaders extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  return createClient({
    url: urls.router.replace(/^http/, 'ws'),
    webSocketImpl: WithHeaders,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
}

describe('forged identity over graphql-ws', () => {
  let victim: { token: string; id: string };
  let mallory: { token: string; id: string };

  beforeAll(async () => {
    victim = await signUp(urls.router, 'ws_victim', PASSWORD);
    mallory = await signUp(urls.router, 'ws_mallory', PASSWORD);
  });

  it('user and secret headers on the upgrade, no token: closed 4401', async () => {
    const client = wsClientWithHeaders(
      {
        [ROUTER_SECRET_HEADER]: 'f'.repeat(64),
        [USER_ID_HEADER]: victim.id,
        [USERNAME_HEADER]: 'ws_victim',
      },
      {},
    );
    expect(await closeCode(client)).toBe(4401);
    await client.dispose();
  });

  it('user fields in connectionParams beside a valid token: the token decides, and no other user’s log is seen', async () => {
    const client = wsClientWithHeaders(
      { [USER_ID_HEADER]: victim.id },
      {
        authorization: `Bearer ${mallory.token}`,
        [USER_ID_HEADER]: victim.id,
        userId: victim.id,
        caller: { id: victim.id, username: 'ws_victim' },
      },
    );
    const feed = collect<{ logAdded: { input: string; user: { username: string } } }>(
      client,
      'subscription { logAdded { input user { username } } }',
      1,
    );
    await connected(client);
    await subscriptionsOpen(urls.router, 1);
    // The victim's calculation first: were the forged fields believed, it would arrive first.
    await gql(urls.router, '{ factorial(n: 11) { digits } }', {}, bearer(victim.token));
    await gql(urls.router, '{ factorial(n: 12) { digits } }', {}, bearer(mallory.token));
    const [event] = await feed.done;
    expect(event?.data?.logAdded).toEqual({ input: '{"n":12}', user: { username: 'ws_mallory' } });

    const seen = await gql<{ recentLogs: Array<{ input: string }>; me: { logs: unknown[] } }>(
      urls.router,
      '{ recentLogs { input } me { logs { input } } }',
      {},
      bearer(mallory.token),
    );
    expect(seen.data).toEqual({
      recentLogs: [{ input: '{"n":12}' }],
      me: { logs: [{ input: '{"n":12}' }] },
    });
    await client.dispose();
  });
});

describe('tokens that abuse the verifier', () => {
  let user: { token: string; id: string };
  const claims = () => ({ username: 'abused', sub: user.id });

  beforeAll(async () => {
    user = await signUp(urls.router, 'abused', PASSWORD);
  });

  async function authPublicKey() {
    const response = await fetch(urls.auth.replace(/\/graphql$/, '/.well-known/jwks.json'));
    const { keys } = (await response.json()) as { keys: Array<Record<string, string>> };
    const jwk = keys[0] as Record<string, string>;
    return { jwk, kid: jwk['kid'] as string };
  }

  const sign = (header: Record<string, unknown>, key: Parameters<SignJWT['sign']>[0]) =>
    new SignJWT(claims())
      .setProtectedHeader(header as { alg: string })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);

  const forged: Record<string, () => Promise<string>> = {
    'HS256 signed with auth’s public key as the secret': async () => {
      const { jwk, kid } = await authPublicKey();
      const pem = await exportSPKI((await importJWK(jwk, 'EdDSA')) as CryptoKey);
      return sign({ alg: 'HS256', kid }, new TextEncoder().encode(pem));
    },
    'a foreign key embedded in the header (jwk)': async () => {
      const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
      return sign({ alg: 'EdDSA', jwk: await exportJWK(publicKey) }, privateKey);
    },
    'a foreign key under an unknown key id': async () => {
      const { privateKey } = await generateKeyPair('EdDSA');
      return sign({ alg: 'EdDSA', kid: 'not-a-key-of-auth' }, privateKey);
    },
    'a valid signature with the header swapped to alg none': async () => {
      const [, payload, signature] = user.token.split('.');
      const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
      return `${header}.${payload}.${signature}`;
    },
  };

  it.each(Object.keys(forged))('%s: HTTP 401 UNAUTHENTICATED', async (name) => {
    const result = await gql(urls.router, '{ me { id } }', {}, bearer(await forged[name]!()));
    expect(result.status).toBe(401);
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it.each(Object.keys(forged))('%s: WebSocket closed 4403', async (name) => {
    const client = wsClient(urls.router, await forged[name]!());
    expect(await closeCode(client)).toBe(4403);
    await client.dispose();
  });
});

describe('password guessing through the router, stopped by the per-call counters', () => {
  const guess = (username: string) =>
    `login(username: ${JSON.stringify(username)}, password: "guess-guess") { token }`;
  const rightLogin = (username: string) =>
    gql(
      urls.router,
      `mutation { login(username: "${username}", password: "${PASSWORD}") { token } }`,
    );

  /** Each error's code, counted: `{ UNAUTHENTICATED: 5, RATE_LIMITED: 15 }`. */
  function codes(errors: Array<{ extensions?: Record<string, unknown> }> | undefined) {
    const counts: Record<string, number> = {};
    for (const error of errors ?? []) {
      const code = String(error.extensions?.['code']);
      counts[code] = (counts[code] ?? 0) + 1;
    }
    return counts;
  }

  // The router sends a sign-in alone (router/src/gateway/signInAnswers.ts); auth also counts
  // aliased guesses one by one when called directly (subgraphs/auth/test/loginAttempts.test.ts).
  it('20 aliased guesses in one request: refused whole by the router, no password checked', async () => {
    await signUp(urls.router, 'alias_victim', PASSWORD);
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: ${guess('alias_victim')}`);
    const result = await gql(urls.router, `mutation { ${aliases.join(' ')} }`);
    expect(result.status).toBe(400);
    expect(result.data ?? null).toBeNull();
    expect(codes(result.errors)).toEqual({ GRAPHQL_VALIDATION_FAILED: 1 });
    // Only checked passwords count as failures: the refused request used none of the 5.
    const singles = await Promise.all(
      Array.from({ length: 5 }, () => gql(urls.router, `mutation { ${guess('alias_victim')} }`)),
    );
    expect(codes(singles.flatMap((s) => s.errors ?? []))).toEqual({ UNAUTHENTICATED: 5 });
    expect((await rightLogin('alias_victim')).errors?.[0]?.extensions?.['code']).toBe(
      'RATE_LIMITED',
    );
  });

  it('an HTTP batch of guesses is refused with 400 and counts nothing', async () => {
    await signUp(urls.router, 'batch_victim', PASSWORD);
    const batch = Array.from({ length: 10 }, () => ({
      query: `mutation { ${guess('batch_victim')} }`,
    }));
    const response = await fetch(urls.router, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(batch),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('BAD_REQUEST');
    // Had the batch counted, these four (4 + 10 > 5) would already be refused.
    const singles = await Promise.all(
      Array.from({ length: 4 }, () => gql(urls.router, `mutation { ${guess('batch_victim')} }`)),
    );
    expect(codes(singles.flatMap((s) => s.errors ?? []))).toEqual({ UNAUTHENTICATED: 4 });
  });

  it('20 guesses at once, each on a connection of its own: 5 checked, 15 refused', async () => {
    await signUp(urls.router, 'parallel_victim', PASSWORD);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        postOnNewConnection(urls.router, { query: `mutation { ${guess('parallel_victim')} }` }),
      ),
    );
    expect(codes(results.flatMap((r) => r.errors ?? []))).toEqual({
      UNAUTHENTICATED: 5,
      RATE_LIMITED: 15,
    });
  });

  it('guesses over 10 WebSockets count with those over HTTP', async () => {
    await signUp(urls.router, 'socket_victim', PASSWORD);
    const attacker = await signUp(urls.router, 'socket_attacker', PASSWORD);
    const viaHttp = await gql(urls.router, `mutation { ${guess('socket_victim')} }`);
    expect(viaHttp.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const sockets = Array.from({ length: 10 }, () => wsClient(urls.router, attacker.token));
    const viaSockets = await Promise.all(
      sockets.map((socket) =>
        collect(socket, `mutation { ${guess('socket_victim')} }`, 1).done.then(
          ([result]) => (result?.errors ?? []) as Array<{ extensions?: Record<string, unknown> }>,
          (error: Error) => [{ extensions: { code: /"code":"(\w+)"/.exec(error.message)?.[1] } }],
        ),
      ),
    );
    expect(codes(viaSockets.flat())).toEqual({ UNAUTHENTICATED: 4, RATE_LIMITED: 6 });
    await Promise.all(sockets.map((socket) => socket.dispose()));
  });
});

describe('deadline headers a client sends, which only the router may send to a subgraph', () => {
  // An expired deadline, relative and absolute: honoured, either failed the request at once.
  const deadlines = {
    'x-deadline-ms: 1': { 'x-deadline-ms': '1' },
    'x-deadline-at in 1970': { 'x-deadline-at': '1' },
  };

  it.each(Object.entries(deadlines))('%s over HTTP: ignored, answered', async (_, headers) => {
    const { token } = await signUp(
      urls.router,
      `deadline_${randomBytes(3).toString('hex')}`,
      PASSWORD,
    );
    const result = await gql(
      urls.router,
      '{ factorial(n: 80) { digits } }',
      {},
      {
        ...bearer(token),
        ...headers,
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ factorial: { digits: 119 } });
  });

  it.each(Object.entries(deadlines))('%s over SSE: ignored, answered', async (_, headers) => {
    const { token } = await signUp(
      urls.router,
      `deadline_${randomBytes(3).toString('hex')}`,
      PASSWORD,
    );
    const response = await fetch(`${urls.router}/stream`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...bearer(token),
        ...headers,
      },
      body: JSON.stringify({ query: '{ factorial(n: 80) { digits } }' }),
    });
    const text = await response.text();
    expect(text).toContain('{"data":{"factorial":{"digits":119}}}');
    expect(text).not.toContain('errors');
  });
});

/** POSTs JSON on a fresh TCP connection (no keep-alive pool), as separate clients would. */
function postOnNewConnection(
  url: string,
  body: unknown,
): Promise<{ errors?: Array<{ extensions?: Record<string, unknown> }> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(JSON.parse(text) as { errors?: [] }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
