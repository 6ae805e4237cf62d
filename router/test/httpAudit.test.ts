/** GraphQL over HTTP conformance: every MUST audit of graphql-http passes against /graphql. */
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';

let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.stop();
});

// The URL is read when each audit runs, i.e. after the system has started.
const mustAudits = serverAudits({ url: () => system.urls.router }).filter((audit) =>
  audit.name.startsWith('MUST'),
);

describe('graphql-http server audits', () => {
  it('include MUST audits to run', () => {
    expect(mustAudits.length).toBeGreaterThanOrEqual(13);
  });

  it.each(mustAudits.map((audit) => [audit.name, audit] as const))('%s', async (_name, audit) => {
    const result = await audit.fn();
    const reason = result.status === 'ok' ? '' : result.reason;
    expect(result.status, reason).toBe('ok');
  });
});

describe('methods other than GET and POST', () => {
  it('OPTIONS: 204 with the methods allowed, and no CORS grant to another origin', async () => {
    const response = await fetch(system.urls.router, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://elsewhere.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toBe('GET, POST, OPTIONS');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await response.text()).toBe('');
  });

  it.each(['PUT', 'DELETE', 'PATCH'])(
    '%s, with or without a body type: 405 with Allow and BAD_REQUEST',
    async (method) => {
      for (const headers of [{}, { 'content-type': 'application/json' }] as Record<
        string,
        string
      >[]) {
        const response = await fetch(system.urls.router, {
          method,
          headers,
          ...(method === 'DELETE' ? {} : { body: '{"query":"{ __typename }"}' }),
        });
        expect(response.status).toBe(405);
        expect(response.headers.get('allow')).toBe('GET, POST, OPTIONS');
        const body = (await response.json()) as { errors: Array<Record<string, unknown>> };
        expect(body.errors).toEqual([
          {
            message: `${method} is not served here: send the operation with POST (or a query with GET)`,
            extensions: { code: 'BAD_REQUEST' },
          },
        ]);
      }
    },
  );
});
