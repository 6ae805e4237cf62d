/** Starts a real auth subgraph on a free port for one test file (through tests/support/services.ts). */
import {
  ROUTER_SECRET_HEADER,
  USER_ID_HEADER,
  USERNAME_HEADER,
  CLIENT_ADDRESS_HEADER,
} from '@microservice-math/shared/routerContext';
import { serviceSet } from '../../../tests/support/services.js';

export const ROUTER_SECRET = 'test-router-secret-0123456789';

export interface RunningAuth {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
  /** Sends a GraphQL request the way the router would (secret, optional user and client). */
  call(
    query: string,
    variables?: Record<string, unknown>,
    as?: {
      user?: { id: string; username: string };
      client?: string;
      /** More headers, e.g. the router's deadline (`x-deadline-ms`). */
      headers?: Record<string, string>;
    },
  ): Promise<{ status: number; text: string; body: GraphQLBody }>;
}

export interface GraphQLBody {
  data?: Record<string, any> | null; // eslint-disable-line @typescript-eslint/no-explicit-any -- test responses are checked field by field
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }>;
}

export async function startAuth(
  env: Record<string, string | undefined> = {},
  dataDir?: string,
): Promise<RunningAuth> {
  const services = serviceSet(env, { routerSecret: ROUTER_SECRET, dataDir });
  const { url } = await services.startAuth(0, { address: '127.0.0.1' });
  return {
    url,
    dataDir: services.dataDir,
    stop: () => services.close(),
    async call(query, variables = {}, as = {}) {
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        [ROUTER_SECRET_HEADER]: ROUTER_SECRET,
        [CLIENT_ADDRESS_HEADER]: as.client ?? '203.0.113.7',
        ...as.headers,
      };
      if (as.user) {
        headers[USER_ID_HEADER] = as.user.id;
        headers[USERNAME_HEADER] = as.user.username;
      }
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      return { status: response.status, text, body: JSON.parse(text) as GraphQLBody };
    },
  };
}

export const REGISTER = `mutation($u: String!, $p: String!) { register(username: $u, password: $p) { token expiresAt user { id username createdAt } } }`;
export const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token expiresAt user { id username } } }`;
