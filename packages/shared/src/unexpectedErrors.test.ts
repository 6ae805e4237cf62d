/**
 * A throw out of Apollo Server's request pipeline (here a plugin's bug) is answered 500 by Apollo;
 * the host logs it as JSON at error level, once, with the request id the response carries, and
 * Apollo's own line about it goes through the service's logger (at debug), not plain text on the
 * console; at error level when the host's plugin did not log the failure itself.
 */
import { ApolloServer } from '@apollo/server';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { directGraphQL } from './directGraphQL.js';
import { cancelled } from './errors.js';
import { ServiceHost, type RequestBase } from './serviceHost.js';

const lines: Array<Record<string, unknown>> = [];
const logger = pino(
  { level: 'debug' },
  { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
);
let host: ServiceHost;
let apollo: ApolloServer<RequestBase>;
let url: string;

/** An Apollo Server with `serviceHost`'s options and a plugin that throws `bug` at each request. */
function apolloWithBuggyPlugin(
  serviceHost: ServiceHost,
  bug: string | Error,
): ApolloServer<RequestBase> {
  return new ApolloServer<RequestBase>({
    typeDefs: 'type Query { hello: String! }',
    resolvers: { Query: { hello: () => 'hello' } },
    ...serviceHost.apolloServerOptions<RequestBase>({
      after: [
        {
          async requestDidStart() {
            return {
              async validationDidStart() {
                throw typeof bug === 'string' ? new TypeError(bug) : bug;
              },
            };
          },
        },
      ],
    }),
    stopOnTerminationSignals: false,
  });
}

beforeAll(async () => {
  host = new ServiceHost({ name: 'test', logger, production: true });
  apollo = apolloWithBuggyPlugin(host, 'a bug in a plugin');
  await apollo.start();
  host.answerFirst(
    directGraphQL(
      apollo,
      host.mountGraphQL(apollo, (_req, base) => base),
    ),
  );
  url = `http://127.0.0.1:${await host.listen(0, '127.0.0.1')}/graphql`;
});
afterAll(async () => {
  await host?.close();
  await apollo?.stop();
});

it('logs the failure once at error level with the response’s request id, and Apollo’s own line as JSON', async () => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ hello }' }),
  });
  expect(response.status).toBe(500);
  const requestId = response.headers.get('x-request-id');
  expect(requestId).toBeTruthy();
  const errors = lines.filter((line) => (line['level'] as number) >= 50);
  expect(errors).toEqual([
    expect.objectContaining({
      requestId,
      msg: 'unexpected error processing the request',
      err: expect.objectContaining({ message: 'a bug in a plugin' }),
    }),
  ]);
  expect(lines).toContainEqual(
    expect.objectContaining({
      level: 20,
      component: 'apollo',
      msg: expect.stringContaining('a bug in a plugin'),
    }),
  );
});

it('keeps Apollo’s own line at error level for a failure the host’s plugin did not log', async () => {
  // A context without a logger: the host's plugin cannot log the failure, and Apollo's line is
  // the only one saying it. (A host serves one Apollo Server: its plugins' metrics are its own.)
  const bareHost = new ServiceHost({ name: 'bare', logger, production: true });
  const bare = apolloWithBuggyPlugin(bareHost, 'a bug no host plugin saw');
  await bare.start();
  try {
    lines.length = 0;
    await expect(
      bare.executeOperation({ query: '{ hello }' }, { contextValue: {} as RequestBase }),
    ).rejects.toThrow();
    expect(lines.filter((line) => (line['level'] as number) >= 50)).toEqual([
      expect.objectContaining({
        component: 'apollo',
        msg: expect.stringContaining('a bug no host plugin saw'),
      }),
    ]);
  } finally {
    await bare.stop();
    await bareHost.close();
  }
});

it('logs a request cancelled while a plugin waited at info, not as a failure', async () => {
  const quiet = new ServiceHost({ name: 'test', logger, production: true });
  const waiting = apolloWithBuggyPlugin(quiet, cancelled());
  await waiting.start();
  quiet.answerFirst(
    directGraphQL(
      waiting,
      quiet.mountGraphQL(waiting, (_req, base) => base),
    ),
  );
  const quietUrl = `http://127.0.0.1:${await quiet.listen(0, '127.0.0.1')}/graphql`;
  try {
    const before = lines.length;
    const response = await fetch(quietUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ hello }' }),
    });
    const requestId = response.headers.get('x-request-id');
    const logged = lines.slice(before);
    expect(logged.filter((line) => (line['level'] as number) >= 50)).toEqual([]);
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 30,
        requestId,
        msg: 'request cancelled before its operation ran',
      }),
    );
  } finally {
    await quiet.close();
    await waiting.stop();
  }
});
