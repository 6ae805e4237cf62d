/**
 * The router talks to its subgraphs, Redis and nothing else. Left to its defaults,
 * @apollo/gateway reports usage metrics to Apollo and, to label them, probes the cloud
 * providers' metadata endpoints (169.254.169.254, metadata.google.internal) when it starts.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { gql } from '../../tests/support/graphql.js';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';

/** Every host and address any TCP client of this process tries, from before the router starts. */
const attempted = new Set<string>();
const onSocket = (message: unknown) => {
  const { socket } = message as { socket: Socket };
  socket.on('lookup', (_error, _address, _family, host) => attempted.add(String(host)));
  socket.on('connectionAttempt', (ip: string) => attempted.add(ip));
};

let system: TestSystem;
beforeAll(async () => {
  subscribe('net.client.socket', onSocket);
  system = await startTestSystem();
});
afterAll(async () => {
  unsubscribe('net.client.socket', onSocket);
  await system?.stop();
});

it('connects to nothing but this machine', async () => {
  await gql(system.urls.router, '{ __typename }');
  await sleep(3_000); // the cloud probes start in the background, with timeouts of their own
  const loopback = /^(localhost|127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
  expect([...attempted].filter((host) => !loopback.test(host))).toEqual([]);
  expect(attempted.size).toBeGreaterThan(0); // the subgraph calls were seen
});
