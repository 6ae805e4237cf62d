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
import { BenchSystem, type Service } from '../lib/services.js';
import { median } from '../lib/stats.js';

const options = benchOptions();
const run = runInfo('inflight', options.quick);
const plan = options.quick
  ? { n: 20_000, users: 3, rounds: 2 }
  : { n: 200_000, users: 10, rounds: 7 };
const TARGET = 1.5;

/** math's computations so far, from its /metrics. */
async function computations(math: Service): Promise<number> {
  const text = await (await fetch(new URL('/metrics', math.url))).text();
  return [...text.matchAll(/^math_computations_total\{[^}]*\} (\S+)$/gm)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
}

interface Round {
  oneMs: number;
  tenMs: number;
  tenComputations: number;
}

const system = await BenchSystem.start({ redis: true });
const rounds: Round[] = [];
try {
  const math = await system.startMath();
  const router = (await system.startRouter(math)).url;
  const accounts = await Promise.all(
    Array.from({ length: plan.users }, () => system.signUp(router)),
  );
  const ask = (n: number, headers: Record<string, string>) =>
    post({ url: router, query: `{ factorial(n: ${n}) { result } }`, headers });
  // Warm both paths (and the workers) on a size of their own.
  await ask(plan.n - 1, accounts[0]?.headers ?? {});
  await Promise.all(accounts.map((a) => ask(plan.n - 2, a.headers)));

  for (let round = 0; round < plan.rounds; round++) {
    // Sizes no request has asked for yet, so every measurement starts uncached.
    const nOne = plan.n + 2 * round;
    const nTen = nOne + 1;
    const timeOne = async () => {
      const started = performance.now();
      await ask(nOne, accounts[0]?.headers ?? {});
      return performance.now() - started;
    };
    const timeTen = async () => {
      const before = await computations(math);
      const started = performance.now();
      const answers = await Promise.all(accounts.map((a) => ask(nTen, a.headers)));
      const ms = performance.now() - started;
      if (new Set(answers).size !== 1) throw new Error('the users got different answers');
      return { ms, computed: (await computations(math)) - before };
    };
    // Alternate the order, so drift on the machine falls on both alike.
    let oneMs: number;
    let ten: { ms: number; computed: number };
    if (round % 2 === 0) {
      oneMs = await timeOne();
      ten = await timeTen();
    } else {
      ten = await timeTen();
      oneMs = await timeOne();
    }
    rounds.push({ oneMs, tenMs: ten.ms, tenComputations: ten.computed });
    console.log(
      `round ${round + 1}: one ${formatMs(oneMs)}, ${plan.users} users ${formatMs(ten.ms)}, ` +
        `${ten.computed} computation(s)`,
    );
  }
} finally {
  await system.stop();
}

const one = median(rounds.map((r) => r.oneMs));
const ten = median(rounds.map((r) => r.tenMs));
const ratio = ten / one;
const targets: TargetResult[] = [
  {
    target: `${plan.users} concurrent identical heavy requests from ${plan.users} users within ${TARGET}× the time of one`,
    measured: `${plan.users} users ÷ one = ${formatRatio(ratio)} (median of ${plan.rounds} rounds)`,
    met: ratio <= TARGET,
  },
];
const section: Section = {
  name: 'inflight',
  title: '7. Identical requests in flight',
  method: [
    'Auth, math and the router run as separate processes from source (`NODE_ENV=production`, ' +
      'SQLite, Redis for cache, pub/sub and limits, math’s default workers). ' +
      `${plan.users} accounts are registered. Each round times \`factorial(n: N) { result }\` ` +
      `sent through the router by one account alone, and the same query (N + 1) sent by all ` +
      `${plan.users} accounts at the same moment, until the last answer has arrived; N is new ` +
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
      title: `One request against ${plan.users} identical requests from ${plan.users} users`,
      header: [
        'round',
        'one request',
        `${plan.users} users`,
        `${plan.users} ÷ one`,
        'computations',
      ],
      rows: [
        ...rounds.map((r, i) => [
          String(i + 1),
          formatMs(r.oneMs),
          formatMs(r.tenMs),
          formatRatio(r.tenMs / r.oneMs),
          formatCount(r.tenComputations),
        ]),
        ['median', formatMs(one), formatMs(ten), formatRatio(ratio), ''],
      ],
      notes: [
        `“computations” counts what math computed for the ${plan.users} requests of a round ` +
          `(before this work: ${plan.users}).`,
      ],
    },
  ],
  targets,
};
await publish(section, run, options);
