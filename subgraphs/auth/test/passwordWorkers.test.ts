/**
 * bcrypt runs in worker threads with a bounded queue (accounts/passwords.ts), and a registration
 * whose caller has gone leaves no account (accounts/accounts.ts). Against a real auth service.
 */
import { DEADLINE_HEADER } from '@microservice-math/shared/cancellation';
import {
  CLIENT_ADDRESS_HEADER,
  ROUTER_SECRET_HEADER,
} from '@microservice-math/shared/routerContext';
import { afterEach, describe, expect, it } from 'vitest';
import {
  REGISTER,
  ROUTER_SECRET,
  startAuth,
  type GraphQLBody,
  type RunningAuth,
} from './authService.js';

let auth: RunningAuth | undefined;
afterEach(async () => {
  await auth?.stop();
  auth = undefined;
});

const register = (running: RunningAuth, name: string) =>
  running.call(REGISTER, { u: name, p: 'correct horse battery' });

describe('password hashing in worker threads', () => {
  it('answers light requests while eight registrations are still hashing', async () => {
    // Two workers at cost 13: eight hashes take several rounds of the pool.
    const running = (auth = await startAuth({ AUTH_HASH_WORKERS: '2', BCRYPT_ROUNDS: '13' }));
    const finished: string[] = [];
    const registrations = Array.from({ length: 8 }, (_, i) =>
      register(running, `storm-${i}`).then((r) => {
        finished.push(`storm-${i}`);
        return r;
      }),
    );
    // Ten light requests one after another, each waiting for the previous answer.
    const healthBase = new URL('/health', running.url);
    for (let i = 0; i < 10; i++) expect((await fetch(healthBase)).status).toBe(200);
    const me = await running.call('{ me { id } }');
    expect(me.body.errors).toBeUndefined();
    // All eleven answered before the storm was over.
    expect(finished.length).toBeLessThan(8);
    for (const r of await Promise.all(registrations)) expect(r.body.errors).toBeUndefined();
  }, 120_000);

  it('refuses at once with RATE_LIMITED and retryAfterSeconds when the queue is full', async () => {
    // One worker, one waiting place: of four registrations two are admitted, two refused.
    const running = (auth = await startAuth({
      AUTH_HASH_WORKERS: '1',
      AUTH_HASH_QUEUE: '1',
      BCRYPT_ROUNDS: '14',
    }));
    const order: Array<{ name: string; body: GraphQLBody }> = [];
    await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        register(running, `queued-${i}`).then((r) =>
          order.push({ name: `queued-${i}`, body: r.body }),
        ),
      ),
    );
    const refused = order.filter(
      (r) => r.body.errors?.[0]?.extensions?.['code'] === 'RATE_LIMITED',
    );
    const admitted = order.filter((r) => r.body.errors === undefined);
    expect(refused).toHaveLength(2);
    expect(admitted).toHaveLength(2);
    for (const r of refused) {
      expect(r.body.errors?.[0]?.extensions?.['retryAfterSeconds']).toBeGreaterThanOrEqual(1);
    }
    // Refused without waiting for the hashes ahead of them: both answers came first.
    expect(
      order
        .slice(0, 2)
        .map((r) => r.name)
        .sort(),
    ).toEqual(refused.map((r) => r.name).sort());
    // A refused name holds no account: it registers once there is room.
    expect((await register(running, refused[0]!.name)).body.errors).toBeUndefined();
  }, 180_000);
});

describe('a registration whose caller has gone', () => {
  it('creates no account when the deadline passes while the password hashes', async () => {
    const running = (auth = await startAuth({ AUTH_HASH_WORKERS: '1', BCRYPT_ROUNDS: '14' }));
    // The deadline (minus the service's margin) passes long before a cost-14 hash is done.
    const response = await fetch(running.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [ROUTER_SECRET_HEADER]: ROUTER_SECRET,
        [CLIENT_ADDRESS_HEADER]: '203.0.113.7',
        [DEADLINE_HEADER]: '300',
      },
      body: JSON.stringify({
        query: REGISTER,
        variables: { u: 'gone', p: 'correct horse battery' },
      }),
    });
    const body = (await response.json()) as GraphQLBody;
    expect(body.data?.['register'] ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.['code']).toBe('CANCELLED');
    // The name is still free: no account was left behind.
    const again = await register(running, 'gone');
    expect(again.body.errors).toBeUndefined();
    expect(again.body.data?.['register'].user.username).toBe('gone');
  }, 120_000);
});
