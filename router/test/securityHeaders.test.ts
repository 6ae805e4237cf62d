/**
 * The playground page and its assets come with headers that keep them from being framed or
 * sniffed; every other answer (GraphQL's JSON, refusals, health) is marked not to be sniffed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';

let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => {
  await system?.stop();
});

it('a browser GET of /graphql: no framing, no sniffing, no referrer', async () => {
  const page = await fetch(system.urls.router, { headers: { accept: 'text/html' } });
  expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  expect(page.headers.get('x-frame-options')).toBe('DENY');
});

it('every other answer is marked nosniff: a GraphQL answer, a refusal, an unknown path, health', async () => {
  const post = (body: string, type = 'application/json') =>
    fetch(system.urls.router, { method: 'POST', headers: { 'content-type': type }, body });
  const answers = [
    await post(JSON.stringify({ query: '{ __typename }' })),
    await post('{ not json'),
    await post(JSON.stringify({ query: '{ nope }' })),
    await fetch(new URL('/no-such-path', system.urls.router)),
    await fetch(new URL('/health', system.urls.router)),
  ];
  expect(answers.map((answer) => answer.status)).toEqual([200, 400, 400, 404, 200]);
  for (const answer of answers)
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
});
