/**
 * Benchmark 7, identical requests in flight: ten users asking for the same uncached
 * `factorial(n: 200000) { result }` at the same moment, through the router, against one user
 * asking for it alone. Math computes (and writes in decimal) such a result once for everyone
 * waiting for it (subgraphs/math/src/calculations/sharedComputation.ts), so ten cost about one.
 */
import { benchOptions } from '../lib/cli.js';
import { formatCount, formatMs, formatRatio } from '../lib/format.js';
import { post } from '../lib/load.js';
import { publish } from '../lib/publish.js';
import { runInfo, type Section, type TargetResult } from '../lib/report.js';
import { benchMetrics, BenchSystem, type Service } from '../lib/services.js';
import { median } from '../lib/stats.js';

const options = benchOptions();
const run = runInfo('inflight', options.quick);
const plan = options.quick
  ? { n: 20_000, users: 3, rounds: 2 }
  : { n: 200_000, users: 10, rounds: 7 };
const TARGET = 1.5;

/** math's computations so far, from its /metrics. */
async function computations(math: Service): Promise<number> {
  const text = await benchMetrics(math.url);
  return [...text.matchAll(/^math_computations_total\{[^}]*\} (\S+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

interface Round {
  oneMs: number;
  tenMs: number;
  tenComputations: number;
  /** The same ten again, now cached: what delivering ten answers costs without computing. */
  cachedMs: number;
}

type PathName = 'router' | 'direct';
const paths: Record<PathName, string> = {
  router: 'through the router',
  direct: 'math subgraph, direct',
};

const system = await BenchSystem.start({ redis: true });
const rounds: Record<PathName, Round[]> = { router: [], direct: [] };
try {
  const math = await system.startMath();
  const router = (await system.startRouter(math)).url;
  const accounts = await Promise.all(
    Array.from({ length: plan.users }, () => system.signUp(router)),
  );
  const ask = (path: PathName, n: number, i: number) => {
    const account = accounts[i] as (typeof accounts)[number];
    return post({
      url: path === 'router' ? router : math.url,
      query: `{ factorial(n: ${n}) { result } }`,
      headers: path === 'router' ? account.headers : system.subgraphHeaders(account),
    });
  };
  const timed = async (work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };
  // Warm both paths (and the workers) on sizes of their own.
  for (const path of ['router', 'direct'] as const) {
    await ask(path, plan.n - 1, 0);
    await Promise.all(accounts.map((_, i) => ask(path, plan.n - 2, i)));
  }

  // Sizes no request has asked for yet, so every measurement starts uncached.
  let n = plan.n;
  for (let round = 0; round < plan.rounds; round++) {
    // Alternate the order, so drift on the machine falls on all alike.
    const order =
      round % 2 === 0 ? (['router', 'direct'] as const) : (['direct', 'router'] as const);
    for (const path of order) {
      const nOne = n++;
      const nTen = n++;
      const oneMs = await timed(() => ask(path, nOne, 0));
      const before = await computations(math);
      let answers: string[] = [];
      const tenMs = await timed(
        async () => (answers = await Promise.all(accounts.map((_, i) => ask(path, nTen, i)))),
      );
      const tenComputations = (await computations(math)) - before;
      if (new Set(answers.map((a) => JSON.parse(a).data.factorial.result)).size !== 1) {
        throw new Error('the users got different answers');
      }
      const cachedMs = await timed(() => Promise.all(accounts.map((_, i) => ask(path, nTen, i))));
      rounds[path].push({ oneMs, tenMs, tenComputations, cachedMs });
      console.log(
        `round ${round + 1}, ${path}: one ${formatMs(oneMs)}, ${plan.users} users ` +
          `${formatMs(tenMs)} (${tenComputations} computation(s)), again cached ${formatMs(cachedMs)}`,
      );
    }
  }
} finally {
  await system.stop();
}

const medians = (path: PathName) => {
  const of = (pick: (r: Round) => number) => median(rounds[path].map(pick));
  return {
    one: of((r) => r.oneMs),
    ten: of((r) => r.tenMs),
    cached: of((r) => r.cachedMs),
    computations: Math.max(...rounds[path].map((r) => r.tenComputations)),
  };
};
const routed = medians('router');
const ratio = routed.ten / routed.one;
const targets: TargetResult[] = [
  {
    target: `${plan.users} concurrent identical heavy requests from ${plan.users} users within ${TARGET}× the time of one`,
    measured: `${plan.users} users ÷ one = ${formatRatio(ratio)} through the router (median of ${plan.rounds} rounds), one computation`,
    met: ratio <= TARGET,
  },
];
const section: Section = {
  name: 'inflight',
  title: '8. Identical requests in flight',
  method: [
    'Auth, math and the router run as separate processes from source (`NODE_ENV=production`, ' +
      'SQLite, Redis for cache, pub/sub and limits, math’s default workers). ' +
      `${plan.users} accounts are registered. Each round times \`factorial(n: N) { result }\` ` +
      `sent through the router by one account alone, and the same query (N + 1) sent by all ` +
      `${plan.users} accounts at the same moment, until the last answer has arrived, then the ` +
      `${plan.users} again (cached); the same straight to math with the headers the router ` +
      'would send. N is new ' +
      'in every round (N = ' +
      `${plan.n}, ${plan.n + 2}, …), so nothing is cached. The order of the two alternates ` +
      'between rounds; the figures are the medians. Every user’s answer must be the same text, ' +
      'and each request is still logged on its own (one row each). Computations are read from ' +
      'math’s `math_computations_total` before and after.',
    'The peer is Hive Gateway’s in-flight de-duplication (on by default; see section 2): it ' +
      'merges identical subgraph requests only when they carry the same headers, i.e. from one ' +
      'caller, so it does not merge requests from different users at all; and the merged ' +
      'requests then skip math, so they are not logged. Here math shares the computation, not ' +
      'the request: users are not merged, each is answered and logged on its own.',
  ],
  versions: [],
  tables: [
    {
      title: `One request against ${plan.users} identical requests from ${plan.users} users (medians)`,
      header: [
        'path',
        'one request',
        `${plan.users} users`,
        `${plan.users} ÷ one`,
        'computations (most in a round)',
        `${plan.users} users, cached`,
      ],
      rows: (['router', 'direct'] as const).map((path) => {
        const m = medians(path);
        return [
          paths[path],
          formatMs(m.one),
          formatMs(m.ten),
          formatRatio(m.ten / m.one),
          formatCount(m.computations),
          formatMs(m.cached),
        ];
      }),
      notes: [
        `“computations” is what math computed for the ${plan.users} requests of a round ` +
          `(before this work: ${plan.users}). “cached” sends the same ${plan.users} requests again ` +
          'right after, answered from the cache: what delivering the answers costs without any ' +
          'computation.',
      ],
    },
  ],
  targets,
};
await publish(section, run, options);
