/**
 * Benchmark 2, router overhead: the same cached query straight to the math subgraph, through
 * our router and through Hive Gateway, then a query that spans both subgraphs through both
 * gateways. All three paths use the same subgraph processes, supergraph and account.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchOptions, repoRoot } from '../lib/cli.js';
import { profileShares, type ProfileShares } from '../lib/cpuProfile.js';
import { packageVersions } from '../lib/environment.js';
import { formatCount, formatMs, formatPercent, formatRatio } from '../lib/format.js';
import { compareUnderLoad, saturate, type Compared, type LoadSettings } from '../lib/load.js';
import type { CpuTime } from '../lib/processCpu.js';
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

const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

const system = await BenchSystem.start({ redis: true });
let cached: Record<'direct' | 'router' | 'hive' | 'hiveMerging', Compared>;
let crossSubgraph: Record<'router' | 'hive' | 'hiveMerging', Compared>;
/** Where the router's main thread spent its time in one profiled round, and that round's answers. */
let profiled: { shares: ProfileShares; requests: number };
try {
  const math = await system.startMath();
  const router = await system.startRouter(math);
  const hive = await system.startHiveGateway(math);
  const hiveMerging = await system.startHiveGateway(math, 'Hive Gateway (merging)', true);
  const account = await system.signUp(router.url);
  // Each process's CPU per request: the comparison on shared cores comes down to these.
  const watch = {
    'our router': router.child.pid as number,
    'Hive Gateway': hive.child.pid as number,
    'Hive Gateway (merging)': hiveMerging.child.pid as number,
    math: math.child.pid as number,
    auth: system.auth.child.pid as number,
  };
  cached = await compareUnderLoad(
    {
      direct: { url: math.url, query: FACTORIAL, headers: system.subgraphHeaders(account) },
      router: { url: router.url, query: FACTORIAL, headers: account.headers },
      hive: { url: hive.url, query: FACTORIAL, headers: account.headers },
      hiveMerging: { url: hiveMerging.url, query: FACTORIAL, headers: account.headers },
    },
    settings,
    watch,
  );
  crossSubgraph = await compareUnderLoad(
    {
      router: { url: router.url, query: ME, headers: account.headers },
      hive: { url: hive.url, query: ME, headers: account.headers },
      hiveMerging: { url: hiveMerging.url, query: ME, headers: account.headers },
    },
    settings,
    watch,
  );
  profiled = await profileRouterRound(math, account.headers);
} finally {
  await system.stop();
}

/**
 * One more router, started with V8's sampling profiler, warmed and saturated with the cached
 * query for one round; its main thread's samples within that round, by package. Profiling slows
 * the router, so this round's throughput is not compared with the others.
 */
async function profileRouterRound(
  math: Awaited<ReturnType<BenchSystem['startMath']>>,
  headers: Record<string, string>,
): Promise<{ shares: ProfileShares; requests: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-router-profile-'));
  try {
    // Module by module, so that each sample's file names its package.
    const router = await system.startRouter(
      math,
      'router (profiled)',
      {},
      ['--cpu-prof', `--cpu-prof-dir=${dir}`],
      'modules',
    );
    const request = { url: router.url, query: FACTORIAL, headers };
    await saturate(request, {
      connections: settings.connections,
      durationSeconds: settings.warmupSeconds,
    });
    const from = monotonicMicros();
    const round = await saturate(request, {
      connections: settings.connections,
      durationSeconds: settings.durationSeconds,
    });
    const to = monotonicMicros();
    await router.stop('SIGTERM');
    // One file per thread; the main thread's is numbered 0 (CPU.<date>.<time>.<pid>.0.<seq>).
    const mainThread = readdirSync(dir).find((file) => file.includes(`.${router.child.pid}.0.`));
    if (!mainThread) throw new Error(`the profiled router wrote no main-thread profile in ${dir}`);
    return {
      shares: profileShares(join(dir, mainThread), from, to, repoRoot),
      requests: round.count,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
    target: 'Router at least 80% of the direct subgraph’s requests/s on the cached query',
    measured: `router ÷ direct = ${formatPercent(routerShare)}`,
    met: routerShare >= 0.8,
  },
  {
    target: 'Router at least 1.5× Hive Gateway’s requests/s on the cached query',
    measured: `router ÷ Hive Gateway = ${formatRatio(versusHive)} requests/s`,
    met: versusHive >= 1.5,
  },
  {
    target: 'Router at least 1.5× Hive Gateway’s requests/s on the cross-subgraph query',
    measured: `router ÷ Hive Gateway = ${formatRatio(versusHiveMe)} requests/s`,
    met: versusHiveMe >= 1.5,
  },
];

/** µs of CPU per request, user + system, with the system part in parentheses. */
const cpuCell = (cpu: CpuTime | undefined) =>
  cpu && cpu.user + cpu.system >= 1
    ? `${Math.round(cpu.user + cpu.system)} (${Math.round(cpu.system)})`
    : '–';
const cpuProcesses = ['our router', 'Hive Gateway', 'math', 'auth', 'load generator'];
/** A path's row: the processes it goes through (the others idle meanwhile, and are not counted). */
const cpuRow = (name: string, c: Compared, gateway?: 'our router' | 'Hive Gateway') => {
  const involved = cpuProcesses.filter(
    (p) => !['our router', 'Hive Gateway'].includes(p) || p === gateway,
  );
  const total = involved.reduce((sum, p) => {
    const t = c.cpuPerRequest[p];
    return sum + (t ? t.user + t.system : 0);
  }, 0);
  return [
    name,
    ...cpuProcesses.map((p) => (involved.includes(p) ? cpuCell(c.cpuPerRequest[p]) : '–')),
    String(Math.round(total)),
  ];
};
const busyPerRequest = profiled.shares.busyMicros / profiled.requests;
const shareRows = [...profiled.shares.groups]
  .sort((a, b) => b[1] - a[1])
  .map(([group, micros]) => [
    group,
    (micros / profiled.requests).toFixed(1),
    formatPercent(micros / profiled.shares.busyMicros),
  ]);
const SHOWN_GROUPS = 14;
const profileRows = [
  ...shareRows.slice(0, SHOWN_GROUPS),
  ...(shareRows.length > SHOWN_GROUPS
    ? [
        [
          `${shareRows.length - SHOWN_GROUPS} more groups`,
          shareRows
            .slice(SHOWN_GROUPS)
            .reduce((sum, r) => sum + Number(r[1]), 0)
            .toFixed(1),
          formatPercent(
            shareRows.slice(SHOWN_GROUPS).reduce((sum, r) => sum + Number(r[1]), 0) /
              busyPerRequest,
          ),
        ],
      ]
    : []),
  ['main thread busy, in all', busyPerRequest.toFixed(1), '100%'],
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
    {
      title: 'CPU per request, µs (of which in the kernel), median round',
      header: ['path', ...cpuProcesses, 'all'],
      rows: [
        cpuRow('cached, math direct', cached.direct),
        cpuRow('cached, our router', cached.router, 'our router'),
        cpuRow('cached, Hive Gateway', cached.hive, 'Hive Gateway'),
        cpuRow('cross-subgraph, our router', crossSubgraph.router, 'our router'),
        cpuRow('cross-subgraph, Hive Gateway', crossSubgraph.hive, 'Hive Gateway'),
      ],
      notes: [
        'Each process’s user and system time from /proc (10 ms ticks) across the round, divided ' +
          'by the answers of that round; the load generator is this process (getrusage). ' +
          'On two cores the three busy processes share the CPU, so a path’s requests/s is ' +
          'bounded by about 2 cores ÷ its “all” column: the router’s own column is what it adds to ' +
          'the direct path.',
      ],
    },
    {
      title: 'Where the router’s main thread spends a cached request, from a CPU profile',
      header: ['code', 'µs per request', 'share'],
      rows: profileRows,
      notes: [
        `A further router, started with \`--cpu-prof\`, was warmed for ${settings.warmupSeconds} s ` +
          `and saturated for ${settings.durationSeconds} s with the cached query ` +
          `(${formatCount(profiled.requests)} answers); its main thread's samples within that ` +
          'round are grouped by the package whose code was running (time in a native function ' +
          'counts to the caller’s package, except socket writes, shown apart). Profiling adds ' +
          'its own overhead, so the total is above the router’s column in the table before; ' +
          'the shares are what the table is for. Work on other threads (none on this path) is ' +
          'not in it.',
      ],
    },
  ],
  targets,
};
await publish(section, run, options);
