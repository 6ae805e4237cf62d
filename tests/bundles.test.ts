/**
 * The images run each service's `dist/main.js`, which `npm run build` makes a bundle
 * (scripts/bundleServices.ts). A bundle moves every module into one file, so whatever a module
 * finds by a path relative to itself would look beside the bundle instead: auth's password
 * workers, math's compute workers, the router's built playground. These run the bundles as the
 * images do and use each of those.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfChanged, playgroundBuild, repoRoot, serverBuilt } from '../scripts/freshBuild.js';
import { UNBUNDLED_MAIN } from '../scripts/bundleServices.js';
import { bearer, gql, signUp } from './support/graphql.js';
import { mainFiles, processSet, type ProcessSet } from './support/processes.js';

let set: ProcessSet;

beforeAll(async () => {
  await Promise.all([
    serverBuilt({ quiet: true, say: () => {} }),
    buildIfChanged(playgroundBuild, { quiet: true, say: () => {} }),
  ]);
  set = await processSet();
  await set.start('auth');
  await set.start('math');
  await set.start('router', { PLAYGROUND: 'true' });
}, 600_000);
afterAll(() => set?.close());

describe('each service runs from its bundle', () => {
  it.each(Object.entries(mainFiles))(
    '%s: dist/main.js is a bundle, tsc’s entry beside it',
    (_, main) => {
      const bundle = readFileSync(join(repoRoot, main), 'utf8');
      // Our own modules and the libraries are inside; tsc's main.js only imports them.
      expect(bundle).not.toMatch(/from ["']\.\/config\.js["']/);
      expect(bundle).not.toMatch(/from ["']@microservice-math\/shared\//);
      const unbundled = readFileSync(
        join(repoRoot, main.replace(/main\.js$/, UNBUNDLED_MAIN)),
        'utf8',
      );
      expect(unbundled).toMatch(/from ["']\.\/config\.js["']/);
    },
  );

  it('auth hashes in its password workers and math computes in its compute workers', async () => {
    // Registration hashes the password in one of auth's worker threads.
    const account = await signUp(set.urls.router, `bundle_${Date.now()}`);
    // 77,338 digits: past what math computes inline, so one of its worker threads does it.
    const computed = await gql<{ factorial: { digits: number } }>(
      set.urls.router,
      '{ factorial(n: 20000) { digits } }',
      {},
      bearer(account.token),
    );
    expect(computed.errors).toBeUndefined();
    expect(computed.data?.factorial.digits).toBe(77_338);
    expect(set.errorLines('auth')).toEqual([]);
    expect(set.errorLines('math')).toEqual([]);
  });

  it('the router serves the playground built beside it', async () => {
    const page = await fetch(set.urls.router, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /src="(\/graphql\/playground\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script, html.slice(0, 300)).toBeDefined();
    const asset = await fetch(new URL(script as string, set.urls.router));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });
});
