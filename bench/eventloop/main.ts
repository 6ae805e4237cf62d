/**
 * Benchmark 5, event loop under heavy work: the latency of a light query, `factorial(n: 10)`,
 * through the router while other clients keep math's workers busy with factorial(n: 150000)
 * and fibonacci(n: 2000000), cache off; against the same light query on an idle system.
 */
import { availableParallelism } from 'node:os';
import { benchOptions } from '../lib/cli.js';
import { formatCount, formatMs, formatRatio } from '../lib/format.js';
import { paced, post, saturate, type GraphQLRequest, type PacedResult } from '../lib/load.js';
import { publish } from '../lib/publish.js';
import { runInfo, type Section, type TargetResult } from '../lib/report.js';
import { BenchSystem } from '../lib/services.js';

const options = benchOptions();
const run = runInfo('eventloop', options.quick);
const plan = options.quick
  ? {
      factorialN: 20_000,
      fibonacciN: 200_000,
      clientsPerQuery: 1,
      rate: 50,
      durationMs: 2_000,
      warmupSeconds: 0.5,
    }
  : {
      factorialN: 150_000,
      fibonacciN: 2_000_000,
      clientsPerQuery: 2,
      rate: 50,
      durationMs: 15_000,
      warmupSeconds: 5,
    };

/** What the heavy clients ask for: the whole result, or only its digit count. */
const selections = ['result', 'digits'] as const;

interface Phase {
  name: string;
  light: PacedResult;
  heavyAnswered: number;
  heavyFailed: number;
  /** The first failure's message, light or heavy. */
  firstError?: string;
}

/** Clients that each send a heavy query, wait for the answer, and send it again, until stopped. */
function keepBusy(requests: GraphQLRequest[]) {
  let stopped = false;
  const counts: { answered: number; failed: number; firstError?: string } = {
    answered: 0,
    failed: 0,
  };
  const loops = requests.map(async (request) => {
    while (!stopped) {
      await post(request).then(
        () => void counts.answered++,
        (error: Error) => {
          counts.failed++;
          counts.firstError ??= error.message;
        },
      );
    }
  });
  return {
    counts,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

interface Deployment {
  /** How math's worker pool is sized, as the phase names say it. */
  workers: string;
  router: string;
  /** Whether the target is judged on it: the deployed default is; the other is for information. */
  judged: boolean;
}

const system = await BenchSystem.start({ redis: true, env: { CACHE_ENABLED: 'false' } });
const phases: Array<Phase & { judged: boolean }> = [];
try {
  // Two math processes with their routers: the default pool (one worker per core), and one
  // worker fewer than this machine's cores, which leaves a core for the event loops.
  const spareCore = String(Math.max(1, availableParallelism() - 1));
  const deployments: Deployment[] = [
    {
      workers: 'default workers',
      router: (await system.startRouter(await system.startMath())).url,
      judged: true,
    },
    {
      workers: `MATH_WORKERS=${spareCore}`,
      router: (
        await system.startRouter(
          await system.startMath('math (spare core)', { MATH_WORKERS: spareCore }),
          'router (spare core)',
        )
      ).url,
      judged: false,
    },
  ];
  const account = await system.signUp(deployments[0]?.router as string);

  for (const deployment of deployments) {
    const request = (query: string) => ({
      url: deployment.router,
      query,
      headers: account.headers,
    });
    const light = request('{ factorial(n: 10) { result } }');
    // Warm the light path (V8 optimizes it under load) before anything is measured.
    await saturate(light, { connections: 4, durationSeconds: plan.warmupSeconds });
    if (deployment.judged) {
      phases.push({
        name: 'idle',
        light: await paced(light, plan.rate, plan.durationMs),
        heavyAnswered: 0,
        heavyFailed: 0,
        judged: true,
      });
    }
    for (const selection of selections) {
      const heavy = [
        request(`{ factorial(n: ${plan.factorialN}) { ${selection} } }`),
        request(`{ fibonacci(n: ${plan.fibonacciN}) { ${selection} } }`),
      ];
      const busy = keepBusy(
        heavy.flatMap((h) => Array<GraphQLRequest>(plan.clientsPerQuery).fill(h)),
      );
      await new Promise((resolve) => setTimeout(resolve, 500)); // let the workers fill up
      const lightResult = await paced(light, plan.rate, plan.durationMs);
      await busy.stop();
      const name = `${deployment.workers}, heavy clients select \`${selection}\``;
      phases.push({
        name,
        light: lightResult,
        heavyAnswered: busy.counts.answered,
        heavyFailed: busy.counts.failed,
        ...(lightResult.firstError || busy.counts.firstError
          ? { firstError: lightResult.firstError ?? busy.counts.firstError }
          : {}),
        judged: deployment.judged,
      });
      console.log(
        `${name}: light p99 ${formatMs(lightResult.p99)}, ${busy.counts.answered} heavy answers`,
      );
    }
  }
} finally {
  await system.stop();
}

/** The GraphQL error message inside a failure's text, or the text itself. */
function graphqlMessage(failure: string): string {
  return /"message":"([^"]*)"/.exec(failure)?.[1] ?? failure.slice(0, 200);
}

const idle = phases[0] as Phase;
const worst = phases
  .filter((p) => p.judged && p !== idle)
  .reduce((a, b) => (b.light.p99 > a.light.p99 ? b : a));
const targets: TargetResult[] = [
  {
    target: 'Light-query p99 under 50 ms during heavy work (default workers)',
    measured: `p99 ${formatMs(worst.light.p99)} (${worst.name}), ${formatRatio(worst.light.p99 / idle.light.p99)} the idle p99`,
    met: worst.light.p99 < 50,
  },
];
const section: Section = {
  name: 'eventloop',
  title: '5. Event loop under heavy work',
  method: [
    'Auth, math and the router run as separate processes from source (`NODE_ENV=production`, ' +
      'SQLite, Redis, `CACHE_ENABLED=false` so every request computes; math’s worker pool has ' +
      'its default one thread per core). The light query `factorial(n: 10) { result }` is sent ' +
      `through the router at a fixed ${plan.rate} per second for ${formatMs(plan.durationMs)}, ` +
      'whatever the answers do, and each latency is counted from when the request was due, so ' +
      'a stalled event loop cannot hide the requests queued behind it. The light path is ' +
      `warmed under load for ${plan.warmupSeconds} s first.`,
    `First on an idle system; then while ${plan.clientsPerQuery * 2} clients each send ` +
      `\`factorial(n: ${plan.factorialN})\` or \`fibonacci(n: ${plan.fibonacciN})\` again as soon ` +
      'as the previous answer arrives, twice: selecting the whole `result` (the decimal text, ' +
      'hundreds of kilobytes, crosses math and the router) and selecting only `digits`.',
    'The same heavy phases run again against a second math process (with its own router) ' +
      'whose pool has one worker fewer than the machine has cores, leaving a core to the ' +
      'event loops of math, the router and this client. The target is judged on the ' +
      'default pool, as deployed; the second set is for information.',
  ],
  versions: [],
  tables: [
    {
      title: 'Light-query latency through the router',
      header: [
        'phase',
        'light queries',
        'p50',
        'p99',
        'max',
        'p99 vs idle',
        'failures',
        'heavy answers',
      ],
      rows: phases.map((p) => [
        p.name,
        formatCount(p.light.count),
        formatMs(p.light.p50),
        formatMs(p.light.p99),
        formatMs(p.light.max),
        formatRatio(p.light.p99 / idle.light.p99),
        String(p.light.failures + p.heavyFailed),
        formatCount(p.heavyAnswered),
      ]),
      notes: phases
        .filter((p) => p.firstError !== undefined)
        .map(
          (p) =>
            `${p.name}: ${p.light.failures + p.heavyFailed} request(s) failed; the first said ` +
            `“${graphqlMessage(p.firstError as string)}”.`,
        ),
    },
  ],
  targets,
};
await publish(section, run, options);
