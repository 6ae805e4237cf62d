import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * graphql 16 ships CommonJS (`main`) and ESM (`module`) builds. Node, and the packages Vitest
 * leaves to Node (Apollo, graphql-ws), load the CommonJS one; Vite would give our own files the
 * ESM one, and a schema from one copy is foreign to the other. Pin everything to Node's choice.
 */
const graphqlEntry = createRequire(import.meta.url).resolve('graphql');

/**
 * Soaks and benchmark runs (`*.slow.test.ts`, anywhere) belong to the `slow` project alone:
 * `npm test` leaves that project out, `npm run test:slow` runs only it.
 */
const slowTests = '**/*.slow.test.ts';
const exclude = [...configDefaults.exclude, slowTests];

/**
 * Most integration files spend their time waiting on the servers they start (child processes,
 * Chromium, Redis, PostgreSQL), not on their own thread, so one file at a time leaves the
 * machine half idle (on 2 cores: 1 file at a time 327 s, 3 at a time 207 s, at an earlier
 * stop). As the suite grew its process- and Chromium-heavy files came to fill the cores
 * themselves, and each worker loads its own copy of the modules: on 2 cores, same host, same
 * tests (1,304), 3 at a time took 420 s (93 s of it importing) and 2 at a time 399 s (46 s);
 * with 1,769 tests on 2026-12-06, 416 s (84 s) against 436 s (47 s), within the spread between
 * runs. One file per core.
 */
const maxWorkers = availableParallelism();

/**
 * A worker keeps the modules it has loaded from one test file to the next instead of loading
 * them all again for each (Vitest's `isolate`). Most files import a whole service stack (Apollo,
 * the gateway, MikroORM) to start servers in-process; loading it again per file cost more CPU than
 * the tests themselves. Measured on 2 cores, the router project: 85 s isolated, 41 s shared; the
 * whole suite 601 s against 462 s. What modules keep between files cannot change a result: each
 * file makes its own servers, databases and metric registries and restores timers it fakes, and
 * the little module-level state there is (token revocations heard of) is keyed by random ids.
 */
const isolate = false;

/**
 * One Vitest run: the server-side tests of every workspace in one project, the client's in its
 * own (a page environment), and the slow ones apart. Integration tests start real servers on
 * free ports, so files run in parallel; each file owns its servers and databases.
 *
 * One project for the server side, not one per workspace: Vitest hands a worker the next file
 * only if it belongs to the same project, and otherwise ends it and starts another, which loads
 * the service stack again. With a project per workspace (shared, auth, math, router, system)
 * the projects ran one after another and 19 workers loaded it. Measured on 2 cores, one run each
 * on 2026-12-07: 14 workers instead of 19, 29 s of importing (Vitest's own figure) instead of
 * 51, 366 s in all against 380–420 for the runs before (the host's noise is about ±30 s).
 * Run one workspace's tests by path, without its slow ones:
 * `npx vitest run --project server subgraphs/auth`.
 */
export default defineConfig({
  // Workspace packages export their TypeScript source under the `source` condition, built
  // JavaScript otherwise; tests run the source.
  resolve: { conditions: ['source'], alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    maxWorkers,
    isolate,
    // expect.poll waits for what a server or browser does in its own time (a resend after a
    // 1 s wait, a row a subscription brings). Vitest's 1 s default was shorter than that on a
    // busy 2-core machine (a CI run failed on it); a poll that succeeds returns at once anyway.
    expect: { poll: { timeout: 15_000 } },
    projects: [
      {
        extends: true,
        test: {
          name: 'server',
          include: [
            'packages/shared/src/**/*.test.ts',
            'subgraphs/*/src/**/*.test.ts',
            'subgraphs/*/test/**/*.test.ts',
            'router/src/**/*.test.ts',
            'router/test/**/*.test.ts',
            'tests/**/*.test.ts',
          ],
          exclude,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      ...(existsSync('client/vitest.config.ts') ? ['client/vitest.config.ts'] : []),
      {
        extends: true,
        test: {
          name: 'slow',
          include: [slowTests],
          // Benchmarks and soaks measure the machine: one at a time, each in a fresh worker.
          maxWorkers: 1,
          isolate: true,
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
