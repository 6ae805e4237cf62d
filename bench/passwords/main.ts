/**
 * Benchmark 7, password hashing off the event loop: bcrypt comparisons (a login's cost) per
 * second through auth's worker pool (accounts/passwords.ts) against bcryptjs's own async
 * comparison on the event loop, as auth did before; and how long the event loop stalls meanwhile,
 * which is what every light request in the process waits behind.
 */
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import { createPasswordHasher } from '../../subgraphs/auth/src/accounts/passwords.js';
import { benchOptions } from '../lib/cli.js';
import { packageVersions } from '../lib/environment.js';
import { formatCount, formatMs, formatRatio } from '../lib/format.js';
import { publish } from '../lib/publish.js';
import { runInfo, type Section } from '../lib/report.js';

const options = benchOptions();
const run = runInfo('passwords', options.quick);
const plan = options.quick
  ? { rounds: 10, clients: 8, durationMs: 2_000 }
  : { rounds: 10, clients: 16, durationMs: 10_000 };
const workers = availableParallelism();
const password = 'correct horse battery staple';
const hash = bcrypt.hashSync(password, plan.rounds);

interface Phase {
  name: string;
  perSecond: number;
  delayP99Ms: number;
  delayMaxMs: number;
}

/** `clients` loops each comparing again as soon as the last comparison answered. */
async function storm(name: string, compare: () => Promise<boolean>): Promise<Phase> {
  await Promise.all(Array.from({ length: plan.clients }, () => compare())); // warm up
  const delay = monitorEventLoopDelay({ resolution: 5 });
  let done = 0;
  const started = performance.now();
  const until = started + plan.durationMs;
  delay.enable();
  await Promise.all(
    Array.from({ length: plan.clients }, async () => {
      while (performance.now() < until) {
        if (!(await compare())) throw new Error('a comparison failed');
        done++;
      }
    }),
  );
  delay.disable();
  const seconds = (performance.now() - started) / 1000;
  const phase = {
    name,
    perSecond: done / seconds,
    delayP99Ms: delay.percentile(99) / 1e6,
    delayMaxMs: delay.max / 1e6,
  };
  console.log(
    `${name}: ${phase.perSecond.toFixed(1)} logins/s, event-loop delay p99 ${formatMs(phase.delayP99Ms)}`,
  );
  return phase;
}

const onLoop = await storm('bcryptjs async on the event loop', () =>
  bcrypt.compare(password, hash),
);
const hasher = await createPasswordHasher({ rounds: plan.rounds, workers, queue: 64 });
let pooled: Phase;
try {
  pooled = await storm(`worker pool, ${workers} workers`, () => hasher.verify(password, hash));
} finally {
  await hasher.close();
}
const ratio = pooled.perSecond / onLoop.perSecond;

const section: Section = {
  name: 'passwords',
  title: '9. Password hashing off the event loop',
  method: [
    `One process compares a password with a bcrypt hash of cost ${plan.rounds} (what a login ` +
      `spends its time on) from ${plan.clients} concurrent loops, each starting the next ` +
      `comparison as soon as the last one answered, for ${formatMs(plan.durationMs)}: first ` +
      'with bcryptjs’s asynchronous compare on the event loop (auth before the worker pool), ' +
      `then through auth’s password pool (\`createPasswordHasher\`, ${workers} workers, one per ` +
      'core). Event-loop delay (`monitorEventLoopDelay`, 5 ms resolution) is what a light ' +
      'request such as `/health` or `me` waits behind in that process during the storm.',
  ],
  versions: [packageVersions(['bcryptjs', 'piscina'])],
  tables: [
    {
      title: 'Logins per second and event-loop delay during a login storm',
      header: ['hashing', 'logins/s', 'event-loop delay p99', 'max'],
      rows: [onLoop, pooled].map((p) => [
        p.name,
        p.perSecond < 100 ? p.perSecond.toFixed(1) : formatCount(p.perSecond),
        formatMs(p.delayP99Ms),
        formatMs(p.delayMaxMs),
      ]),
      notes: [
        'Both phases share the machine with whatever else runs on it: the pool can only beat ' +
          'the event loop by as much as there are idle cores for its second worker.',
      ],
    },
  ],
  targets: [
    {
      target: `Logins/s with the worker pool at least 1.7× hashing on the event loop (${workers} cores)`,
      measured: `pool ÷ event loop = ${formatRatio(ratio)}`,
      met: ratio >= 1.7,
    },
  ],
};
await publish(section, run, options);
