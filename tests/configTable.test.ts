/** The README's configuration table names every variable a service reads. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { authEnvSchema } from '@microservice-math/auth/config';
import { mathEnvSchema } from '@microservice-math/math/config';
import { routerEnvSchema } from '@microservice-math/router/config';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/** The variables in the first column of the table under "## Configuration". */
function documentedVariables(): Set<string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('\n|')));
  const firstColumns = table.split('\n').filter((line) => line.startsWith('| `'));
  return new Set(
    firstColumns.flatMap((line) =>
      [...line.split('|')[1]!.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]!),
    ),
  );
}

describe('the README configuration table', () => {
  it('lists every variable of auth, math, the router and the client server', () => {
    const read = new Set([
      ...Object.keys(authEnvSchema.shape),
      ...Object.keys(mathEnvSchema.shape),
      ...Object.keys(routerEnvSchema.shape),
      // client/server.js (clientConfigFrom) and scripts/system.ts read these besides.
      'CLIENT_PORT',
      'ROUTER_URL',
    ]);
    const documented = documentedVariables();
    expect([...read].filter((variable) => !documented.has(variable)).sort()).toEqual([]);
  });
});
