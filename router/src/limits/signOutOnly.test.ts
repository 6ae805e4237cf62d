import { describe, expect, it } from 'vitest';
import { isSignOutOnly } from './signOutOnly.js';

describe('a request that only signs out (let through a spent limit)', () => {
  it.each([
    'mutation { logout }',
    'mutation SignOut { logout }',
    'mutation { __typename logout }',
    'mutation { out: logout }',
  ])('%s is one', (query) => {
    expect(isSignOutOnly({ query })).toBe(true);
  });

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
  ])('%s is not one', (_what, query) => {
    expect(isSignOutOnly({ query })).toBe(false);
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
