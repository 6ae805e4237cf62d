/**
 * Benchmark 4, logging cost: sustained calculations/s through the router with math's log writer
 * on, against the same system whose math process was given a log writer that does nothing
 * (bench-only wiring, see withoutLogWriter.ts); then the log writer's own capacity in rows/s on
 * SQLite and on PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchOptions } from '../lib/cli.js';
import { packageVersions } from '../lib/environment.js';
import { formatCount, formatMs, formatPercent } from '../lib/format.js';
import { compareUnderLoad, post, type Compared, type LoadSettings } from '../lib/load.js';
import { publish } from '../lib/publish.js';
import { runInfo, type Section, type TargetResult } from '../lib/report.js';
import { BenchSystem, benchMetrics, type Account, type Service } from '../lib/services.js';
import { metricValue } from '../../tests/support/metrics.js';
import { createScratchDatabase } from '../../tests/support/postgres.js';
import { measureLogWriter, type WriterThroughput } from './logWriterThroughput.js';

const options = benchOptions();
const run = runInfo('logging', options.quick);
const settings: LoadSettings = options.quick
  ? { connections: 4, warmupSeconds: 0.5, durationSeconds: 1, rounds: 1 }
  : { connections: 10, warmupSeconds: 8, durationSeconds: 4, rounds: 5 };
/**
 * A second comparison with enough connections that neither process waits for the other: there
 * throughput is what the CPU allows, while at `settings.connections` each answer's wait for its
 * commit also lowers it (each connection sends its next request only after the answer).
 */
const saturatedSettings: LoadSettings = {
  ...settings,
  connections: options.quick ? 8 : 40,
  rounds: options.quick ? 1 : 3,
};
const writerRows = options.quick ? 300 : 20_000;
const writerConcurrency = 64;

const CALCULATION = '{ factorial(n: 20) { result } }';

/** How many log rows the account has, as math reports them (at most 5 are asked for). */
async function logCount(router: Service, account: Account): Promise<number> {
  const body = JSON.parse(
    await post({
      url: router.url,
      query: '{ me { logs(limit: 5) { id } } }',
      headers: account.headers,
    }),
  ) as { data: { me: { logs: unknown[] } } };
  return body.data.me.logs.length;
}

/** What math's log writer reported over the whole run (warm-up included): its batches and their wait. */
interface CommitWait {
  batches: number;
  rowsPerBatch: number;
  /** From a batch's flush starting to its commit being known on the event loop. */
  meanMs: number;
}

async function commitWait(math: Service): Promise<CommitWait> {
  const text = await benchMetrics(math.url);
  const batches = metricValue(text, 'math_log_flush_duration_seconds_count');
  return {
    batches,
    rowsPerBatch: metricValue(text, 'math_log_batch_rows_sum') / batches,
    meanMs: (metricValue(text, 'math_log_flush_duration_seconds_sum') * 1000) / batches,
  };
}

async function throughRouter(): Promise<{
  compared: Record<'on' | 'off', Compared>;
  saturated: Record<'on' | 'off', Compared>;
  wait: CommitWait;
}> {
  const system = await BenchSystem.start({ redis: true });
  try {
    // Both module by module: "off" swaps the log writer's module by its path, which a bundle has
    // not, and "on" runs the same way so that nothing but the writer differs.
    const mathOn = await system.startMath('math (log writer on)', {}, [], 'modules');
    const mathOff = await system.startMath(
      'math (log writer off)',
      {},
      ['./bench/logging/withoutLogWriter.ts'],
      'modules',
    );
    const routerOn = await system.startRouter(mathOn, 'router (log writer on)');
    const routerOff = await system.startRouter(mathOff, 'router (log writer off)');
    const [accountOn, accountOff] = [
      await system.signUp(routerOn.url),
      await system.signUp(routerOff.url),
    ];
    const targets = {
      on: { url: routerOn.url, query: CALCULATION, headers: accountOn.headers },
      off: { url: routerOff.url, query: CALCULATION, headers: accountOff.headers },
    };
    const watch = {
      'math (on)': mathOn.child.pid as number,
      'math (off)': mathOff.child.pid as number,
      'router (on)': routerOn.child.pid as number,
      'router (off)': routerOff.child.pid as number,
    };
    const compared = await compareUnderLoad(targets, settings, watch);
    const saturated = await compareUnderLoad(targets, saturatedSettings, watch);
    // The wiring is only believed once seen: one side logged, the other did not.
    const [loggedOn, loggedOff] = [
      await logCount(routerOn, accountOn),
      await logCount(routerOff, accountOff),
    ];
    if (loggedOn === 0 || loggedOff !== 0) {
      throw new Error(
        `log writer wiring is wrong: ${loggedOn} rows with it on, ${loggedOff} with it off`,
      );
    }
    return { compared, saturated, wait: await commitWait(mathOn) };
  } finally {
    await system.stop();
  }
}

async function writerOnPostgres(): Promise<WriterThroughput> {
  const scratch = await createScratchDatabase();
  try {
    return await measureLogWriter(scratch.url, writerRows, writerConcurrency);
  } finally {
    await scratch.drop();
  }
}

async function writerOnSqlite(): Promise<WriterThroughput> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-bench-writer-'));
  try {
    return await measureLogWriter(`file:${join(dir, 'writer.db')}`, writerRows, writerConcurrency);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const { compared: calculations, saturated, wait } = await throughRouter();
const sqlite = await writerOnSqlite();
const postgres = await writerOnPostgres();

const share = calculations.on.requestsPerSecond / calculations.off.requestsPerSecond;
const saturatedShare = saturated.on.requestsPerSecond / saturated.off.requestsPerSecond;
const calculationRow = (
  name: string,
  connections: number,
  c: Compared,
  off: Compared = calculations.off,
) => [
  name,
  String(connections),
  formatCount(c.requestsPerSecond),
  `${formatCount(c.requestsPerSecondRange[0])}–${formatCount(c.requestsPerSecondRange[1])}`,
  formatMs(c.p50),
  formatMs(c.p99),
  formatPercent(c.requestsPerSecond / off.requestsPerSecond),
  String(c.failures),
];
/** µs of CPU per calculation for one side (`on` or `off`), user + system. */
const cpuOf = (c: Compared, side: 'on' | 'off', process: 'math' | 'router') => {
  const t = c.cpuPerRequest[`${process} (${side})`];
  return t ? t.user + t.system : Number.NaN;
};
const loadGenerator = (c: Compared) => {
  const t = c.cpuPerRequest['load generator'];
  return t ? t.user + t.system : Number.NaN;
};
const cpuRow = (name: string, connections: number, c: Compared, side: 'on' | 'off') => {
  const [math, router, load] = [cpuOf(c, side, 'math'), cpuOf(c, side, 'router'), loadGenerator(c)];
  return [
    name,
    String(connections),
    ...[math, router, load, math + router + load].map((v) => String(Math.round(v))),
  ];
};
const targets: TargetResult[] = [
  {
    target: 'Logging on keeps at least 90% of the throughput of logging off',
    measured:
      `on ÷ off = ${formatPercent(share)} of calculations/s with ${settings.connections} ` +
      `connections (${formatPercent(saturatedShare)} with ${saturatedSettings.connections})`,
    met: share >= 0.9,
  },
];
const section: Section = {
  name: 'logging',
  title: '4. Logging cost',
  method: [
    'Auth, two math processes and two routers run as separate processes from source ' +
      '(`NODE_ENV=production`, SQLite in WAL mode with `synchronous = NORMAL`, Redis for cache ' +
      'and events). One math process is the ' +
      'service as built; the other is started with `--import ./bench/logging/withoutLogWriter.ts`, ' +
      'a module-resolution hook that hands its service a log writer that answers every write at ' +
      'once and neither writes a row nor publishes an event. No production code changes. Each ' +
      'router fronts one of them, and each side has its own account; afterwards the benchmark ' +
      'checks that the first account has log rows and the second has none.',
    `Load is the cached \`factorial(n: 20) { result }\` through each router with autocannon ` +
      `(${settings.connections} connections, ${settings.rounds} interleaved round(s) of ` +
      `${settings.durationSeconds} s after a ${settings.warmupSeconds} s warm-up; the median ` +
      'round is reported). Every answered calculation is one log row when logging is on, so the ' +
      'cached query, the cheapest calculation, is where logging weighs most.',
    `**Log writer capacity**: math’s own \`createLogWriter\` driven directly by the benchmark ` +
      `(no HTTP, events to an in-process bus with no subscriber) on a fresh SQLite file and a ` +
      `scratch PostgreSQL database: ${formatCount(writerRows)} rows queued at once (full ` +
      `batches), then ${formatCount(writerRows)} rows from ${writerConcurrency} writers that ` +
      'each wait for their row to commit before writing the next.',
  ],
  versions: [
    packageVersions([
      '@mikro-orm/core',
      '@mikro-orm/sqlite',
      '@mikro-orm/postgresql',
      'sqlite3',
      'pg',
    ]),
  ],
  tables: [
    {
      title: 'Calculations through the router',
      header: [
        'math’s log writer',
        'connections',
        'calculations/s',
        'range over rounds',
        'p50',
        'p99',
        'vs off',
        'failures',
      ],
      rows: [
        calculationRow('on (as deployed)', settings.connections, calculations.on),
        calculationRow('off (does nothing)', settings.connections, calculations.off),
        calculationRow(
          'on (as deployed)',
          saturatedSettings.connections,
          saturated.on,
          saturated.off,
        ),
        calculationRow(
          'off (does nothing)',
          saturatedSettings.connections,
          saturated.off,
          saturated.off,
        ),
      ],
      notes: [
        `Commit wait with logging on, from math’s own metrics over the whole run: ` +
          `${formatCount(wait.batches)} batches of ${wait.rowsPerBatch.toFixed(1)} rows on ` +
          `average, each ${formatMs(wait.meanMs)} on average from its flush starting to its ` +
          'commit being seen on the event loop (`math_log_flush_duration_seconds`); every row’s ' +
          'answer waits for it. The rows with ' +
          `${saturatedSettings.connections} connections (${saturatedSettings.rounds} round(s)) ` +
          'keep enough requests in flight that the processes rarely wait for one another, so ' +
          'they show what logging costs in CPU; the difference from the first two rows is what ' +
          'the wait for the commit costs in throughput when each client waits for its answer.',
      ],
    },
    {
      title: 'CPU per calculation, µs',
      header: ['math’s log writer', 'connections', 'math', 'router', 'load generator', 'all'],
      rows: [
        cpuRow('on (as deployed)', settings.connections, calculations.on, 'on'),
        cpuRow('off (does nothing)', settings.connections, calculations.off, 'off'),
        cpuRow('on (as deployed)', saturatedSettings.connections, saturated.on, 'on'),
        cpuRow('off (does nothing)', saturatedSettings.connections, saturated.off, 'off'),
      ],
      notes: [
        'User and system time of each process from /proc (10 ms ticks) across a round, divided ' +
          'by its answers, median round; math’s includes its SQLite thread-pool threads. On two ' +
          'cores a side can serve at most about 2 cores ÷ its “all” figure per second.',
      ],
    },
    {
      title: 'Log rows committed per second by the log writer',
      header: [
        'database',
        'all queued at once',
        `${writerConcurrency} writers, one row each at a time`,
      ],
      rows: [
        [
          'SQLite (WAL, one connection)',
          formatCount(sqlite.burstRowsPerSecond),
          formatCount(sqlite.concurrentRowsPerSecond),
        ],
        [
          'PostgreSQL (local)',
          formatCount(postgres.burstRowsPerSecond),
          formatCount(postgres.concurrentRowsPerSecond),
        ],
      ],
      notes: [
        `For scale: logging on served ${formatCount(calculations.on.requestsPerSecond)} calculations/s above, ` +
          'one row each.',
      ],
    },
  ],
  targets,
};
await publish(section, run, options);
