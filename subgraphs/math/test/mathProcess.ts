/**
 * The math subgraph as a process of its own, started the way `npm run start:math` starts it
 * (through tests/support/processes.ts), on a free port with a SQLite file of its own.
 */
import type { Caller } from '@microservice-math/shared/routerContext';
import { processSet, type ServiceProcess } from '../../../tests/support/processes.js';
import { RequestLogSchema, type RequestLogEntity } from '../src/logs/RequestLog.js';
import { openLogReader, ROUTER_SECRET, routerHeaders, silentLogger } from './mathService.js';

export interface MathProcess {
  base: string;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once the process has ended. */
  readonly gone: boolean;
  /** Its log lines (JSON), error level and above. */
  errorLines(): string[];
  /** POSTs a GraphQL query as the router would, for `caller`. */
  post(query: string, caller: Caller): Promise<Response>;
  signal(signal: NodeJS.Signals): void;
  /** The committed request logs of `userId` (open after the process has ended). */
  logRows(userId: string): Promise<RequestLogEntity[]>;
  /** Kills the process if it is still running and removes its files. */
  dispose(): Promise<void>;
}

export async function startMathProcess(env: Record<string, string> = {}): Promise<MathProcess> {
  // The shared launcher; only math is started. Its router secret is the one routerHeaders send.
  const set = await processSet({ routerSecret: ROUTER_SECRET });
  let service: ServiceProcess;
  try {
    service = await set.start('math', env);
  } catch (error) {
    await set.close();
    throw error;
  }
  const base = set.urls.math.replace(/\/graphql$/, '');
  const { child, exited, output } = service;
  return {
    base,
    exited,
    get gone() {
      return service.gone;
    },
    errorLines: () =>
      output()
        .split('\n')
        .filter((line) => /"level":(50|60)/.test(line)),
    post: (query, caller) =>
      fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...routerHeaders(caller) },
        body: JSON.stringify({ query }),
      }),
    signal: (signal) => child.kill(signal),
    async logRows(userId) {
      const reader = await openLogReader(set.databaseUrl, silentLogger());
      try {
        return await reader.em
          .fork()
          .find(RequestLogSchema, { userId }, { orderBy: { id: 'asc' } });
      } finally {
        await reader.close();
      }
    },
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await set.close();
    },
  };
}
