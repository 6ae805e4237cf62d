/**
 * Logins through the whole system: our router in front of auth (and math, which the router
 * needs), as deployed. A storm is `clients` loops, each logging one account of its own in again
 * as soon as its last login answered, while a light query (`me`, answered by the same auth
 * process) is sent at a fixed rate and timed from its scheduled send, so that a stalled event
 * loop shows in its latency (no coordinated omission).
 */
import { randomBytes } from 'node:crypto';
import { gql } from '../../tests/support/graphql.js';
import { paced, post, type PacedResult } from '../lib/load.js';
import { BenchSystem } from '../lib/services.js';

const LOGIN = 'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { token } }';
const REGISTER =
  'mutation ($u: String!, $p: String!) { register(username: $u, password: $p) { token } }';
export const LIGHT_QUERY = '{ me { username } }';

export interface StormPlan {
  clients: number;
  durationMs: number;
  /** Light queries a second during the storm. */
  lightRate: number;
}

export interface StormResult {
  loginsPerSecond: number;
  light: PacedResult;
}

interface Credentials {
  username: string;
  password: string;
}

/** A router, auth and math with `hashWorkers` password threads in auth, and one account per client. */
export class LoginSystem {
  private constructor(
    private readonly system: BenchSystem,
    readonly routerUrl: string,
    private readonly accounts: Credentials[],
    private readonly lightHeaders: Record<string, string>,
  ) {}

  static async start(hashWorkers: number, clients: number): Promise<LoginSystem> {
    const system = await BenchSystem.start({
      redis: true,
      env: { AUTH_HASH_WORKERS: String(hashWorkers) },
    });
    try {
      const router = await system.startRouter(await system.startMath());
      const accounts: Credentials[] = [];
      let token = '';
      for (let i = 0; i < clients; i++) {
        const account = {
          username: `storm_${randomBytes(4).toString('hex')}`,
          password: randomBytes(12).toString('hex'),
        };
        const registered = await gql<{ register: { token: string } }>(router.url, REGISTER, {
          u: account.username,
          p: account.password,
        });
        if (!registered.data?.register)
          throw new Error(`could not register: ${JSON.stringify(registered.errors)}`);
        token = registered.data.register.token;
        accounts.push(account);
      }
      return new LoginSystem(system, router.url, accounts, { authorization: `Bearer ${token}` });
    } catch (error) {
      await system.stop();
      throw error;
    }
  }

  /** The light query alone, at the storm's rate, for reference. */
  idle(plan: StormPlan): Promise<PacedResult> {
    return paced(this.lightRequest(), plan.lightRate, plan.durationMs);
  }

  async storm(plan: StormPlan): Promise<StormResult> {
    let logins = 0;
    const started = performance.now();
    const until = started + plan.durationMs;
    const loops = this.accounts.slice(0, plan.clients).map(async ({ username, password }) => {
      while (performance.now() < until) {
        // Throws on any error, refusals included: a storm of logins that are refused is no storm.
        await post({
          url: this.routerUrl,
          query: LOGIN,
          headers: {},
          variables: { u: username, p: password },
        });
        logins++;
      }
    });
    const [light] = await Promise.all([
      paced(this.lightRequest(), plan.lightRate, plan.durationMs),
      ...loops,
    ]);
    return { loginsPerSecond: logins / ((performance.now() - started) / 1000), light };
  }

  stop(): Promise<void> {
    return this.system.stop();
  }

  private lightRequest() {
    return { url: this.routerUrl, query: LIGHT_QUERY, headers: this.lightHeaders };
  }
}
