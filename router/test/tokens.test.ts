/** The router's user context: only tokens auth signed, unexpired, for this audience, count. */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '@microservice-math/shared/tokenClaims';
import { base64url, generateKeyPair, importPKCS8, SignJWT, type CryptoKey } from 'jose';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { bearer, closeCode, closeEvent, gql, wsClient } from '../../tests/support/graphql.js';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';

let system: TestSystem;
let user: { id: string; username: string };
let validToken: string;

beforeAll(async () => {
  system = await startTestSystem();
  const registered = await gql<{
    register: { token: string; user: { id: string; username: string } };
  }>(
    system.urls.router,
    `mutation { register(username: "token_owner", password: "long-password") { token user { id username } } }`,
  );
  user = registered.data!.register.user;
  validToken = registered.data!.register.token;
});
afterAll(async () => {
  await system?.stop();
});

async function signWith(
  key: CryptoKey,
  claims: { exp?: number; aud?: string; iss?: string; kid?: string },
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ username: user.username })
    .setProtectedHeader({ alg: 'EdDSA', kid: claims.kid })
    .setSubject(user.id)
    .setIssuer(claims.iss ?? TOKEN_ISSUER)
    .setAudience(claims.aud ?? TOKEN_AUDIENCE)
    .setIssuedAt(now - 7200)
    .setExpirationTime(claims.exp ?? now + 3600)
    .sign(key);
}

async function authKey() {
  const pem = readFileSync(join(system.dataDir, 'auth-signing-key.pem'), 'utf8');
  const kid = JSON.parse(Buffer.from(validToken.split('.')[0]!, 'base64url').toString())
    .kid as string;
  return { key: await importPKCS8(pem, 'EdDSA'), kid };
}

const badTokens: Record<string, () => Promise<string>> = {
  'an expired token': async () => {
    const { key, kid } = await authKey();
    return signWith(key, { kid, exp: Math.floor(Date.now() / 1000) - 60 });
  },
  'a token signed by a foreign key': async () => {
    const { privateKey } = await generateKeyPair('EdDSA');
    return signWith(privateKey, { kid: (await authKey()).kid });
  },
  'a token for another audience': async () => {
    const { key, kid } = await authKey();
    return signWith(key, { kid, aud: 'someone-else' });
  },
  'a token from another issuer': async () => {
    const { key, kid } = await authKey();
    return signWith(key, { kid, iss: 'https://evil.example' });
  },
  'an alg: none token': async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const payload = base64url.encode(
      JSON.stringify({
        sub: user.id,
        username: user.username,
        iss: TOKEN_ISSUER,
        aud: TOKEN_AUDIENCE,
        exp: 9999999999,
      }),
    );
    return `${header}.${payload}.`;
  },
  // JWS compact serialisation is unpadded base64url; a decoder that skips padding must not make
  // a second spelling of a valid token.
  'a valid token with base64 padding': async () => `${validToken}==`,
  'a token with a tampered payload': async () => {
    const [header, , signature] = validToken.split('.');
    const payload = base64url.encode(
      JSON.stringify({
        sub: '00000000-0000-0000-0000-000000000000',
        username: 'admin',
        iss: TOKEN_ISSUER,
        aud: TOKEN_AUDIENCE,
        exp: 9999999999,
      }),
    );
    return `${header}.${payload}.${signature}`;
  },
};

describe('tokens the router refuses', () => {
  it.each(Object.keys(badTokens))('%s: HTTP 401 UNAUTHENTICATED, never anonymous', async (name) => {
    const token = await badTokens[name]!();
    const result = await gql(system.urls.router, '{ me { id } }', {}, bearer(token));
    expect(result.status).toBe(401);
    expect(result.headers?.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(result.data ?? null).toBeNull();
  });

  it.each(Object.keys(badTokens))('%s: the WebSocket is closed with 4403 and why', async (name) => {
    const token = await badTokens[name]!();
    const client = wsClient(system.urls.router, token);
    // The reason a client acts on: an expired token asks it to sign in again.
    const reason = name === 'an expired token' ? 'Token expired; sign in again' : 'Invalid token';
    expect(await closeEvent(client)).toEqual({ code: 4403, reason });
    await client.dispose();
  });

  it('a WebSocket without a token is closed with 4401', async () => {
    const client = wsClient(system.urls.router);
    expect(await closeCode(client)).toBe(4401);
    await client.dispose();
  });

  it('a malformed Authorization header is refused, not ignored', async () => {
    const result = await gql(
      system.urls.router,
      '{ me { id } }',
      {},
      { authorization: 'Basic dXNlcjpwYXNz' },
    );
    expect(result.status).toBe(401);
    expect(result.headers?.get('www-authenticate')).toBe('Bearer error="invalid_request"');
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});

describe('an Authorization header sent twice', () => {
  /**
   * `{ me { id } }` with each header sent as its own line, over plain HTTP (fetch would join
   * them into one): to /graphql, or to the SSE endpoint (/graphql/stream).
   */
  function twice(authorizations: string[], over: 'http' | 'sse' = 'http') {
    const url = new URL(over === 'sse' ? `${system.urls.router}/stream` : system.urls.router);
    const accept = over === 'sse' ? 'text/event-stream' : 'application/json';
    // Given as a list, the headers are sent as they are: Host too must be in it.
    const headers = ['host', url.host, 'content-type', 'application/json', 'accept', accept];
    for (const value of authorizations) headers.push('authorization', value);
    return new Promise<{ status: number; challenge: unknown; body: string }>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            challenge: res.headers['www-authenticate'],
            body,
          }),
        );
      });
      req.on('error', reject);
      req.end(JSON.stringify({ query: '{ me { id } }' }));
    });
  }

  /** The results in an answer's body: its JSON over HTTP, the data of each `next` event over SSE. */
  function resultsIn(body: string, over: 'http' | 'sse'): unknown[] {
    if (over === 'http') return [JSON.parse(body)];
    return body
      .split('\n\n')
      .filter((event) => /^event: next$/m.test(event))
      .map((event) => JSON.parse(event.slice(event.indexOf('data: ') + 'data: '.length)));
  }

  it.each([
    ['the valid token first', () => [`Bearer ${validToken}`, 'Bearer junk']],
    ['the valid token last', () => ['Bearer junk', `Bearer ${validToken}`]],
  ])(
    'with different values (%s) is refused as malformed, over HTTP and SSE',
    async (_order, headers) => {
      for (const over of ['http', 'sse'] as const) {
        const answer = await twice(headers(), over);
        expect(answer, over).toMatchObject({
          status: 401,
          challenge: 'Bearer error="invalid_request"',
        });
        expect(answer.body).toContain('UNAUTHENTICATED');
      }
    },
  );

  it.each(['http', 'sse'] as const)(
    'with the same value twice is that value, over %s',
    async (over) => {
      const answer = await twice([`Bearer ${validToken}`, `Bearer ${validToken}`], over);
      expect(answer.status).toBe(200);
      expect(resultsIn(answer.body, over)).toEqual([{ data: { me: { id: user.id } } }]);
    },
  );
});

describe('a refused token on an operation that needs no caller', () => {
  const LOGIN = 'mutation { login(username: "token_owner", password: "long-password") { token } }';
  const refused: Record<string, () => Promise<string>> = {
    ...badTokens,
    'a garbage token': async () => 'not-a-token',
    'a revoked token': async () => {
      const login = await gql<{ login: { token: string } }>(system.urls.router, LOGIN);
      const token = login.data!.login.token;
      const out = await gql(system.urls.router, 'mutation { logout }', {}, bearer(token));
      expect(out.data).toEqual({ logout: true });
      return token;
    },
  };

  it.each(Object.keys(refused))('%s: login still signs in, as anonymous', async (name) => {
    const token = await refused[name]!();
    const result = await gql<{ login: { token: string } }>(
      system.urls.router,
      LOGIN,
      {},
      bearer(token),
    );
    expect(result.errors).toBeUndefined();
    expect(result.status).toBe(200);
    expect(result.data?.login.token).toMatch(/^ey/);
  });

  it('register with a garbage token registers', async () => {
    const result = await gql<{ register: { token: string } }>(
      system.urls.router,
      'mutation { register(username: "garbage_token_holder", password: "long-password") { token } }',
      {},
      bearer('garbage'),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.register.token).toMatch(/^ey/);
  });

  it('an operation that also needs the caller is still 401, with its message and challenge', async () => {
    const token = await badTokens['an expired token']!();
    const result = await gql(
      system.urls.router,
      `mutation { login(username: "token_owner", password: "long-password") { token } logout }`,
      {},
      bearer(token),
    );
    expect(result.status).toBe(401);
    expect(result.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(result.errors?.[0]?.message).toBe('Token expired; sign in again');
    expect(result.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    for (const query of ['{ factorial(n: 3) { result } }', '{ recentLogs { id } }']) {
      const math = await gql(system.urls.router, query, {}, bearer('garbage'));
      expect(math.status, query).toBe(401);
      expect(math.errors?.[0]?.message, query).toBe('Invalid token');
    }
  });

  it('a malformed Authorization header on login is anonymous too; on me it is still 401', async () => {
    const basic = { authorization: 'Basic dXNlcjpwYXNz' };
    const login = await gql<{ login: { token: string } }>(system.urls.router, LOGIN, {}, basic);
    expect(login.data?.login.token).toMatch(/^ey/);
    const me = await gql(system.urls.router, '{ me { id } }', {}, basic);
    expect(me.status).toBe(401);
    expect(me.headers.get('www-authenticate')).toBe('Bearer error="invalid_request"');
  });
});

describe('how the token is presented', () => {
  it.each([
    ['two spaces after Bearer', (t: string) => `Bearer  ${t}`],
    ['four spaces', (t: string) => `Bearer    ${t}`],
    ['a lower-case scheme', (t: string) => `bearer ${t}`],
    ['an upper-case scheme', (t: string) => `BEARER ${t}`],
  ])('%s is accepted', async (_name, header) => {
    const result = await gql<{ me: { id: string } }>(
      system.urls.router,
      '{ me { id } }',
      {},
      { authorization: header(validToken) },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.me.id).toBe(user.id);
  });

  it.each(['authorization', 'Authorization', 'AUTHORIZATION'])(
    'graphql-ws accepts connectionParams.%s',
    async (name) => {
      const client = createClient({
        url: system.urls.router.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { [name]: `Bearer ${validToken}` },
        retryAttempts: 0,
        lazy: true,
      });
      try {
        const result = await new Promise<unknown>((resolve, reject) => {
          client.subscribe(
            { query: '{ me { id } }' },
            { next: resolve, error: reject, complete: () => {} },
          );
        });
        expect(result).toEqual({ data: { me: { id: user.id } } });
      } finally {
        await client.dispose();
      }
    },
  );
});

describe('what the router sends subgraphs', () => {
  it('ignores user-context headers a client forges', async () => {
    const result = await gql<{ me: unknown }>(
      system.urls.router,
      '{ me { id username } }',
      {},
      {
        'x-user-id': user.id,
        'x-user-name': user.username,
        'x-router-secret': 'guess-guess-guess-guess',
      },
    );
    expect(result.data?.me).toBeNull();
  });

  it('a valid token makes the caller known to both subgraphs', async () => {
    const result = await gql<{ me: { username: string; logs: unknown[] } }>(
      system.urls.router,
      '{ me { username logs(limit: 1) { id } } }',
      {},
      bearer(validToken),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.me).toEqual({ username: 'token_owner', logs: [] });
  });

  it('subgraphs refuse a request that goes around the router', async () => {
    for (const url of [system.urls.auth, system.urls.math]) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-user-id': user.id,
          'x-user-name': user.username,
        },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(response.status, url).toBe(403);
    }
  });
});
