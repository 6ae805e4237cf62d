import { randomBytes } from 'node:crypto';
import { gql } from '../../tests/support/graphql.js';
import { post } from '../lib/load.js';
import { BenchSystem } from '../lib/services.js';
import { processCpu } from '../lib/processCpu.js';
import { readdirSync, readFileSync } from 'node:fs';
function threads(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out[`${name}#${tid}`] = (Number(f[11]) + Number(f[12])) * 10;
  }
  return out;
}

const LOGIN = 'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { token } }';
const REGISTER = 'mutation ($u: String!, $p: String!) { register(username: $u, password: $p) { token } }';
const dir = process.argv[2] ?? '/tmp/lprof';
const workers = process.argv[3] ?? '2';
const system = await BenchSystem.start({ redis: true, env: { AUTH_HASH_WORKERS: workers }, nodeArgs: process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [] });
try {
  const router = await system.startRouter(await system.startMath());
  const accounts: { u: string; p: string }[] = [];
  for (let i = 0; i < 16; i++) {
    const a = { u: `storm_${randomBytes(4).toString('hex')}`, p: randomBytes(12).toString('hex') };
    const r = await gql(router.url, REGISTER, a);
    if (!r.data) throw new Error(JSON.stringify(r.errors));
    accounts.push(a);
  }
  const run = async (ms: number) => {
    let logins = 0;
    const until = performance.now() + ms;
    await Promise.all(accounts.map(async (a) => {
      while (performance.now() < until) {
        await post({ url: router.url, query: LOGIN, headers: {}, variables: a });
        logins++;
      }
    }));
    return logins;
  };
  await run(3000);
  const pids = { auth: system.auth.child.pid!, router: router.child.pid! } as Record<string, number>;
  const tb = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, threads(p)]));
  const before = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, processCpu(p)]));
  const from = Number(process.hrtime.bigint() / 1000n);
  const t0 = performance.now();
  const n = await run(8000);
  const secs = (performance.now() - t0) / 1000;
  const to = Number(process.hrtime.bigint() / 1000n);
  const after = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, processCpu(p)]));
  const ta = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, threads(p)]));
  for (const k of Object.keys(pids)) for (const t of Object.keys(ta[k]!)) { const d = ta[k]![t]! - (tb[k]![t] ?? 0); if (d > 0) console.log(k, t, (d / n).toFixed(2), 'ms/login'); }
  console.log(JSON.stringify({ logins: n, perSecond: n / secs, from, to }));
  for (const k of Object.keys(pids)) console.log(k, 'cpu ms/login', JSON.stringify(after[k]), JSON.stringify(before[k]));
} finally {
  await system.stop();
}
