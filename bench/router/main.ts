/**
 * Benchmark 2, router overhead: the same cached query straight to the math subgraph, through
 * our router and through Hive Gateway, then a query that spans both subgraphs through both
 * gateways. All three paths use the same subgraph processes, supergraph and account.
 */
import { benchOptions } from '../lib/cli.js';
import { packageVersions } from '../lib/environment.js';
import { formatCount, formatMs, formatPercent, formatRatio } from '../lib/format.js';
import { compareUnderLoad, type Compared, type LoadSettings } from '../lib/load.js';
import { publish } from '../lib/publish.js';
import { runInfo, type Section, type TargetResult } from '../lib/report.js';
import { BenchSystem } from '../lib/services.js';

const options = benchOptions();
const run = runInfo('router', options.quick);
const settings: LoadSettings = options.quick
  ? { connections: 4, warmupSeconds: 0.5, durationSeconds: 1, rounds: 1 }
  : { connections: 10, warmupSeconds: 8, durationSeconds: 4, rounds: 5 };

const FACTORIAL = '{ factorial(n: 20) { result } }';
const ME = '{ me { username logs(limit: 5) { operation } } }';

const system = await BenchSystem.start({ redis: true });
let cached: Record<'direct' | 'router' | 'hive' | 'hiveMerging', Compared>;
let crossSubgraph: Record<'router' | 'hive' | 'hiveMerging', Compared>;
try {
  const math = await system.startMath();
  const router = await system.startRouter(math);
  const hive = await system.startHiveGateway(math);
  const hiveMerging = await system.startHiveGateway(math, 'Hive Gateway (merging)', true);
  const account = await system.signUp(router.url);
  cached = await compareUnderLoad(
    {
      direct: { url: math.url, query: FACTORIAL, headers: system.subgraphHeaders(account) },
      router: { url: router.url, query: FACTORIAL, headers: account.headers },
      hive: { url: hive.url, query: FACTORIAL, headers: account.headers },
      hiveMerging: { url: hiveMerging.url, query: FACTORIAL, headers: account.headers },
    },
    settings,
  );
  crossSubgraph = await compareUnderLoad(
    {
      router: { url: router.url, query: ME, headers: account.headers },
      hive: { url: hive.url, query: ME, headers: account.headers },
      hiveMerging: { url: hiveMerging.url, query: ME, headers: account.headers },
    },
    settings,
  );
} finally {
  await system.stop();
}

const rpsCell = (c: Compared) => {
  const [low, high] = c.requestsPerSecondRange;
  return settings.rounds > 1
    ? `${formatCount(c.requestsPerSecond)} (${formatCount(low)}–${formatCount(high)})`
    : formatCount(c.requestsPerSecond);
};
const row = (name: string, c: Compared, reference: Compared) => [
  name,
  rpsCell(c),
  formatMs(c.p50),
  formatMs(c.p99),
  formatPercent(c.requestsPerSecond / reference.requestsPerSecond),
  formatRatio(c.p99 / reference.p99),
  String(c.failures),
];

const routerShare = cached.router.requestsPerSecond / cached.direct.requestsPerSecond;
const versusHive = cached.router.requestsPerSecond / cached.hive.requestsPerSecond;
const versusHiveMe = crossSubgraph.router.requestsPerSecond / crossSubgraph.hive.requestsPerSecond;
const targets: TargetResult[] = [
  {
    target: 'Router at least 60% of the direct subgraph’s requests/s on the cached query',
    measured: `router ÷ direct = ${formatPercent(routerShare)}`,
    met: routerShare >= 0.6,
  },
  {
    target: 'Router at least as fast as Hive Gateway on the cached query',
    measured: `router ÷ Hive Gateway = ${formatRatio(versusHive)} requests/s`,
    met: versusHive >= 1,
  },
  {
    target: 'Router at least as fast as Hive Gateway on the cross-subgraph query',
    measured: `router ÷ Hive Gateway = ${formatRatio(versusHiveMe)} requests/s`,
    met: versusHiveMe >= 1,
  },
];

const header = ['path', 'requests/s', 'p50', 'p99', 'requests/s vs', 'p99 vs', 'failures'];
const section: Section = {
  name: 'router',
  title: '2. Router overhead',
  method: [
    'Auth, math, our router and Hive Gateway run as separate processes from source ' +
      '(`NODE_ENV=production`, `LOG_LEVEL=warn`, SQLite, Redis for cache, pub/sub and limits) on ' +
      'this machine, with autocannon in the benchmark’s own process. One account is registered ' +
      'and every request carries its token (or, straight to math, the router secret and user ' +
      'headers the router would send). Our router’s per-client rate limit is raised out of the ' +
      'way; everything else is as deployed, including the log row math writes for every ' +
      'calculation.',
    '**Hive Gateway** (`createGatewayRuntime` from `@graphql-hive/gateway`, served by ' +
      '`node:http`, defaults otherwise) serves the same committed supergraph with the subgraph ' +
      'URLs pointed at the same processes. Our subgraphs only answer callers that carry the ' +
      'router secret and a verified user, so a small plugin verifies the token with the same ' +
      'verifier our router uses (which remembers tokens it has verified, for both gateways) and ' +
      '`propagateHeaders` sends the secret and the user along ' +
      '(`bench/gateways/hiveGateway.ts`). By default Hive Gateway also merges identical ' +
      'subgraph queries in flight at the same moment into one fetch; under a load test that ' +
      'repeats one query for one account this skips most subgraph calls (and, for math, the ' +
      'calculations and their log rows), so the compared gateway has it turned off and makes ' +
      'one subgraph call per request like our router. A second Hive Gateway with the default ' +
      'left on is measured for information.',
    `Each path first answers once (the answer is checked, and it fills the cache) and is warmed ` +
      `for ${settings.warmupSeconds} s; then ${settings.rounds} round(s) of ` +
      `${settings.durationSeconds} s with ${settings.connections} connections visit the paths ` +
      'in turn, so drift on the machine falls on all of them alike. Figures are the median ' +
      'round (requests/s also shows the lowest and highest round); latencies are per response. ' +
      'Every answer must equal the first, checked one, or it counts as a failure.',
  ],
  versions: [
    packageVersions(['@apollo/gateway', '@apollo/server', '@graphql-hive/gateway', 'autocannon']),
  ],
  tables: [
    {
      title: 'Cached `factorial(n: 20) { result }`',
      header,
      rows: [
        row('math subgraph, direct', cached.direct, cached.direct),
        row('our router', cached.router, cached.direct),
        row('Hive Gateway', cached.hive, cached.direct),
        row('Hive Gateway, merging in-flight duplicates', cached.hiveMerging, cached.direct),
      ],
      notes: [
        '“vs” columns compare with the direct path: requests/s as a share, p99 as a multiple. ' +
          'The merging row is for information only (see the method): merged requests skip ' +
          'math, its calculations and their log rows, so it is not the same work.',
      ],
    },
    {
      title: 'Cross-subgraph `me { username logs(limit: 5) { operation } }`',
      header,
      rows: [
        row('our router', crossSubgraph.router, crossSubgraph.hive),
        row('Hive Gateway', crossSubgraph.hive, crossSubgraph.hive),
        row(
          'Hive Gateway, merging in-flight duplicates',
          crossSubgraph.hiveMerging,
          crossSubgraph.hive,
        ),
      ],
      notes: ['“vs” columns compare with Hive Gateway (one subgraph call per request).'],
    },
  ],
  targets,
};
await publish(section, run, options);
