/**
 * One minute of sustained load through the router, as deployed (separate processes, production
 * mode, Redis), with 100 subscribers connected: autocannon sends a mix of cached and uncached
 * calculations, logins and recentLogs. Nothing may fail: no 5xx, no GraphQL error, every
 * answered calculation logged and delivered live to each of its user's subscribers, and the
 * router's and math's memory flat once warm (under 10% growth from the 20th to the 60th second).
 *
 * The rate is held well below what the services can do (see docs/BENCHMARKS.md for that): this
 * is about nothing going wrong over time, while the rest of the suite shares the machine.
 * LOAD_SECONDS shortens the run for local experiments; CI runs the full minute.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signUp, subscriptionsOpen, wsClient } from '../support/graphql.js';
import { waitFor } from '../support/waitFor.js';
import { redisUrl } from '../support/system.js';
import { storedLogIds } from './support/ownConnection.js';
import { processSet, type ProcessSet } from './support/serviceProcesses.js';

const SECONDS = Number(process.env['LOAD_SECONDS'] ?? 60);
const USERS = 5;
const SUBSCRIBERS = 100;
const PASSWORD = 'sustained-password';

interface Account {
  username: string;
  token: string;
  id: string;
}

/** One request of the mix: its body, and what an answer to it must hold. */
interface Planned {
  body: string;
  kind: 'cached' | 'uncached' | 'recentLogs' | 'login';
}

let uncachedCount = 0;

function plan(account: Account, draw: number): Planned {
  const query = (kind: Planned['kind'], text: string, variables = {}): Planned => ({
    kind,
    body: JSON.stringify({ query: text, variables }),
  });
  if (draw < 0.4) return query('cached', '{ factorial(n: 20) { result log { id } } }');
  if (draw < 0.75) {
    // A new argument every time: computed, never found in the cache.
    const n = 1_000 + uncachedCount++;
    // With a variable, as the web client sends it: one document, however many arguments.
    return query('uncached', 'query($n: Int!) { fibonacci(n: $n) { digits cached log { id } } }', {
      n,
    });
  }
  if (draw < 0.97) return query('recentLogs', '{ recentLogs(limit: 5) { id input } }');
  return query(
    'login',
    `mutation { login(username: "${account.username}", password: "${PASSWORD}") { token } }`,
  );
}

/**
 * The live heap of a service's main thread, garbage collected first, through the inspector the
 * service was started with for this test. Resident memory is no measure of growth: V8 lets its
 * heap fill with garbage for half a minute before a full collection, so the resident size of a
 * healthy process saws up and down by 100 MB under this load.
 */
async function inspector(output: () => string): Promise<() => Promise<number>> {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(output())?.[1];
  if (!url) throw new Error(`no inspector URL in the output:\n${output()}`);
  const socket = new WebSocket(url);
  inspectors.push(socket);
  await once(socket, 'open');
  let lastId = 0;
  const call = <T>(method: string): Promise<T> => {
    const id = ++lastId;
    return new Promise((resolve, reject) => {
      const onMessage = (data: Buffer) => {
        const message = JSON.parse(data.toString()) as { id?: number; result?: T; error?: unknown };
        if (message.id !== id) return;
        socket.off('message', onMessage);
        if (message.error) reject(new Error(JSON.stringify(message.error)));
        else resolve(message.result as T);
      };
      socket.on('message', onMessage);
      socket.send(JSON.stringify({ id, method }));
    });
  };
  return async () => {
    await call('HeapProfiler.collectGarbage');
    return (await call<{ usedSize: number }>('Runtime.getHeapUsage')).usedSize;
  };
}
const inspectors: WebSocket[] = [];

const missing = !redisUrl ? 'needs REDIS_URL' : false;

describe.skipIf(missing)(`${SECONDS} s of mixed load with ${SUBSCRIBERS} subscribers`, () => {
  let services: ProcessSet;
  const liveHeap: Partial<Record<'router' | 'math', () => Promise<number>>> = {};
  const accounts: Account[] = [];
  const subscribers: Array<{ userId: string; client: Client; received: Set<string> }> = [];
  const statuses: Record<number, number> = {};
  const unexpected: string[] = [];
  const answered: Array<{ userId: string; logId: string; kind: Planned['kind'] }> = [];
  const counts: Record<Planned['kind'], number> = {
    cached: 0,
    uncached: 0,
    recentLogs: 0,
    login: 0,
  };
  /** Live heap after a full collection, once warm and at the end of the load. */
  const memory: Array<{ second: number; router: number; math: number }> = [];
  let requests = 0;

  beforeAll(
    async () => {
      services = await processSet({ redisUrl });
      // Every request comes from 127.0.0.1: the per-client limit is for the internet, not this.
      await services.start('auth');
      const inspected = { NODE_OPTIONS: '--inspect=127.0.0.1:0' };
      const math = await services.start('math', inspected);
      const router = await services.start('router', {
        ...inspected,
        ROUTER_RATE_LIMIT_PER_MINUTE: '1000000',
        // Its subscribers connect at once from one address, all waiting to sign in together.
        ROUTER_WS_MAX_WAITING_PER_ADDRESS: '1000',
      });
      liveHeap.math = await inspector(math.output);
      liveHeap.router = await inspector(router.output);
      for (let i = 0; i < USERS; i++) {
        const username = `sustained_${i}_${Math.random().toString(36).slice(2, 8)}`;
        accounts.push({ username, ...(await signUp(services.urls.router, username, PASSWORD)) });
      }
      for (let i = 0; i < SUBSCRIBERS; i++) {
        const account = accounts[i % USERS] as Account;
        const client = wsClient(services.urls.router, account.token);
        const subscriber = { userId: account.id, client, received: new Set<string>() };
        subscribers.push(subscriber);
        client.subscribe<{ logAdded: { id: string } }>(
          { query: 'subscription { logAdded { id } }' },
          {
            next: ({ data, errors }) => {
              if (data) subscriber.received.add(data.logAdded.id);
              if (errors) unexpected.push(`subscription: ${JSON.stringify(errors)}`);
            },
            error: (error) => unexpected.push(`subscription ended: ${String(error)}`),
            complete: () => unexpected.push('subscription completed by the server'),
          },
        );
      }
      await Promise.all(
        subscribers.map(({ client }) => new Promise((resolve) => client.on('connected', resolve))),
      );
      await subscriptionsOpen(services.urls.router, SUBSCRIBERS); // on the server, not only connected

      const started = Date.now();
      const sample = async () => {
        const [router, math] = [await liveHeap.router!(), await liveHeap.math!()];
        memory.push({ second: (Date.now() - started) / 1000, router, math });
      };
      const warm = sleep((SECONDS / 3) * 1_000).then(sample);
      let connection = 0;
      await autocannon({
        url: services.urls.router,
        connections: 8,
        duration: SECONDS,
        overallRate: 120,
        requests: [
          {
            method: 'POST',
            setupRequest: (request, connectionContext) => {
              const context = connectionContext as Record<string, unknown>;
              context['account'] ??= accounts[connection++ % USERS];
              const account = context['account'] as Account;
              const planned = plan(account, Math.random());
              context['planned'] = planned;
              counts[planned.kind]++;
              return {
                ...request,
                headers: {
                  'content-type': 'application/json',
                  authorization: `Bearer ${account.token}`,
                },
                body: planned.body,
              };
            },
            onResponse: (status, body, connectionContext) => {
              const context = connectionContext as Record<string, unknown>;
              requests++;
              statuses[status] = (statuses[status] ?? 0) + 1;
              const planned = context['planned'] as Planned;
              const account = context['account'] as Account;
              let parsed: {
                data?: Record<string, { log?: { id: string }; cached?: boolean } | null>;
                errors?: unknown[];
              };
              try {
                parsed = JSON.parse(body) as typeof parsed;
              } catch {
                unexpected.push(
                  `${planned.kind}: not JSON (HTTP ${status}): ${body.slice(0, 100)}`,
                );
                return;
              }
              if (parsed.errors) {
                unexpected.push(`${planned.kind}: ${JSON.stringify(parsed.errors).slice(0, 300)}`);
                return;
              }
              const field = Object.values(parsed.data ?? {})[0];
              if (planned.kind === 'uncached' && field?.cached) {
                unexpected.push(`uncached: answered from the cache`);
              }
              if (field?.log) {
                answered.push({ userId: account.id, logId: field.log.id, kind: planned.kind });
              }
            },
          },
        ],
      });
      await warm;
      await sample();
      // The last events on their way: wait until each subscriber holds its user's answered logs
      // (a miss shows as a timeout here and as the list of missed logs below).
      await waitFor(() => {
        for (const { userId, received } of subscribers) {
          for (const a of answered)
            if (a.userId === userId) expect(received.has(a.logId)).toBe(true);
        }
      }).catch(() => undefined);
    },
    (SECONDS + 90) * 1_000,
  );

  afterAll(async () => {
    for (const socket of inspectors) socket.close();
    await Promise.all(subscribers.map(({ client }) => client.dispose()));
    await services?.close();
  });

  it('sent the whole mix, and every response was a 200 without GraphQL errors', async ({
    annotate,
  }) => {
    expect(counts.cached).toBeGreaterThan(0);
    expect(counts.uncached).toBeGreaterThan(0);
    expect(counts.recentLogs).toBeGreaterThan(0);
    expect(counts.login).toBeGreaterThan(0);
    // Load, not speed, is the point: the rate may sag while the rest of the suite runs too.
    expect(requests).toBeGreaterThan(SECONDS * 10);
    expect(statuses).toEqual({ 200: requests });
    expect(unexpected).toEqual([]);
    await annotate(
      `measured: ${requests} requests in ${SECONDS} s (${JSON.stringify(counts)}), all 200 without errors`,
    );
  });

  it('logged every answered calculation', async () => {
    expect(answered.length).toBeGreaterThan(0);
    const stored = await storedLogIds(services.databaseUrl);
    expect(answered.filter(({ logId }) => !stored.has(logId))).toEqual([]);
  });

  it("delivered every answered calculation's log to each of its user's subscribers", async ({
    annotate,
  }) => {
    const missed = subscribers.flatMap(({ userId, received }, index) =>
      answered
        .filter((a) => a.userId === userId && !received.has(a.logId))
        .map((a) => `subscriber ${index} missed ${a.logId}`),
    );
    expect(missed).toEqual([]);
    // …and nobody else's. (A subscriber may also hold logs of requests autocannon stopped
    // waiting for at the end: answered by the services, never read.)
    const leaked = subscribers.flatMap(({ userId, received }, index) =>
      answered
        .filter((a) => a.userId !== userId && received.has(a.logId))
        .map((a) => `subscriber ${index} of ${userId} received ${a.userId}'s ${a.logId}`),
    );
    expect(leaked).toEqual([]);
    const deliveries = subscribers.reduce((sum, { received }) => sum + received.size, 0);
    await annotate(
      `measured: ${answered.length} calculations answered and logged; ${deliveries} deliveries to ${SUBSCRIBERS} subscribers, none missed, none to another user`,
    );
  });

  it('kept memory flat once warm: the live heap grew under 10% from the 20th second to the end', async ({
    annotate,
  }) => {
    const [warm, end] = memory as [(typeof memory)[0], (typeof memory)[0]];
    const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
    for (const service of ['router', 'math'] as const) {
      const seen = `${service}: ${mb(warm[service])} at ${warm.second.toFixed(0)} s, ${mb(end[service])} at ${end.second.toFixed(0)} s`;
      expect(end[service] / warm[service], seen).toBeLessThan(1.1);
      await annotate(`measured: ${seen}`);
    }
  });
});
