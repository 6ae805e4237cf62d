/**
 * Real client identity behind the web app: the client server forwards each browser's address
 * with a secret only it and the router know, so login and request limits count browsers, not
 * the web app. Browsers are told apart by their loopback source address (127.0.0.2, .3, …).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClientServer, type ClientServer } from '@microservice-math/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../support/graphql.js';
import { startTestSystem, type TestSystem } from '../support/system.js';

const PROXY_SECRET = 'proxy-secret-for-the-test-0123456789';
const CLIENT_CAP = 5;
let system: TestSystem;
let client: ClientServer;
let distDir: string;
let webApp: string;

beforeAll(async () => {
  system = await startTestSystem({
    env: {
      CLIENT_PROXY_SECRET: PROXY_SECRET,
      // Failures per client across usernames: small, so that reaching it takes few requests.
      LOGIN_CLIENT_MAX_FAILURES: String(CLIENT_CAP),
    },
  });
  distDir = await mkdtemp(join(tmpdir(), 'mm-identity-'));
  await writeFile(join(distDir, 'index.html'), '<!doctype html><title>app</title>');
  client = createClientServer({
    routerUrl: system.urls.router.replace(/\/graphql$/, ''),
    distDir,
    proxySecret: PROXY_SECRET,
    logger: { warn: () => {} },
  });
  webApp = `http://127.0.0.1:${await client.listen(0, '127.0.0.1')}/graphql`;
  await signUp(system.urls.router, 'identity_victim', 'the-victims-password');
});
afterAll(async () => {
  await client?.close();
  await system?.stop();
  if (distDir) await rm(distDir, { recursive: true, force: true });
});

/** POSTs a login from `from` (a loopback source address) and returns its error code, if any. */
function loginFrom(
  url: string,
  from: string,
  username: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<string | undefined> {
  const body = JSON.stringify({
    query: 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }',
    variables: { u: username, p: password },
  });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        localAddress: from,
        agent: false,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          const parsed = JSON.parse(text) as { errors?: Array<{ extensions?: { code?: string } }> };
          resolve(parsed.errors?.[0]?.extensions?.code);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('login limits through the web app', () => {
  it('one browser spraying usernames is limited; another browser still signs in', async () => {
    const codes: Array<string | undefined> = [];
    for (let i = 0; i <= CLIENT_CAP; i++)
      codes.push(await loginFrom(webApp, '127.0.0.2', `nobody_${i}`, 'wrong-password'));
    expect(codes.at(-1)).toBe('RATE_LIMITED');
    expect(await loginFrom(webApp, '127.0.0.3', 'identity_victim', 'the-victims-password')).toBe(
      undefined,
    );
  });

  it('a caller forging X-Forwarded-For and the secret header directly is counted by its own address', async () => {
    const codes: Array<string | undefined> = [];
    for (let i = 0; i <= CLIENT_CAP; i++)
      codes.push(
        await loginFrom(system.urls.router, '127.0.0.4', `nobody_${i}`, 'wrong-password', {
          'x-forwarded-for': `10.0.0.${i}`,
          'x-client-proxy-secret': 'a-guess-at-the-secret-00000000000',
        }),
      );
    expect(codes.at(-1)).toBe('RATE_LIMITED');
  });
});
