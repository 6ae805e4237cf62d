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
