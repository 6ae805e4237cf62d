import { describe, expect, it } from 'vitest';
import { isSignOutOnly } from './signOutOnly.js';

describe('a request that only signs out (let through a spent limit)', () => {
  it.each(['mutation { logout }', 'mutation SignOut { logout }', 'mutation { __typename logout }'])(
    '%s is one',
    (query) => {
      expect(isSignOutOnly({ query })).toBe(true);
    },
  );

  it.each([
    ['a query', '{ logout }'],
    ['anything beside it', 'mutation { logout renewToken { token } }'],
    ['no logout', 'mutation { __typename }'],
    ['a second operation', 'mutation A { logout } mutation B { logout }'],
    ['a fragment', 'mutation { ...F } fragment F on Mutation { logout }'],
    ['a directive', 'mutation { logout @skip(if: true) }'],
    ['variables', 'mutation ($a: Int) { logout }'],
    ['a syntax error', 'mutation { logout'],
    ['a long text', `mutation { logout }${' '.repeat(300)}`],
    ['an alias', 'mutation { out: logout }'],
    ['logout twice', 'mutation { logout logout }'],
  ])('%s is not one', (_what, query) => {
    expect(isSignOutOnly({ query })).toBe(false);
  });

  // Each would be refused once let through, without ending the session.
  it.each([
    ['an operationName it lacks', { operationName: 'Other' }],
    ['a persisted query', { extensions: { persistedQuery: { version: 1, sha256Hash: 'a' } } }],
    ['variables', { variables: { a: 1 } }],
    ['another key', { batch: true }],
  ])('with %s, it is not one', (_what, more) => {
    expect(isSignOutOnly({ query: 'mutation { logout }', ...more })).toBe(false);
  });

  it('with its own operationName, or empty variables and extensions, it is one', () => {
    expect(
      isSignOutOnly({
        query: 'mutation SignOut { logout }',
        operationName: 'SignOut',
        variables: {},
        extensions: {},
      }),
    ).toBe(true);
  });

  it.each([
    undefined,
    null,
    'mutation { logout }',
    [{ query: 'mutation { logout }' }],
    { query: 5 },
  ])('a body %j is not one', (body) => {
    expect(isSignOutOnly(body)).toBe(false);
  });
});
