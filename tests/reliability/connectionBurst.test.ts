/**
 * A burst of new connections while a service's event loop is busy: the kernel completes the
 * handshakes of as many connections as the listen backlog holds and drops the SYNs past it,
 * which clients retry only after 1, 3 and 7 s. A service must hold a burst of 1,000 (the
 * busy-database test's) without making any client wait for a retry.
 *
 * The service is stopped (SIGSTOP) while the burst connects, so nothing is accepted meanwhile
 * and only the backlog counts (Linux caps it at net.core.somaxconn: 4096 here).
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { processSet, type ProcessSet, type ServiceProcess } from './support/serviceProcesses.js';

const BURST = 1_000;
/**
 * A connection in the backlog completes at once; one past it never does while math is stopped
 * (its retransmitted SYNs are dropped too), so this only needs to outlast a loaded event loop.
 */
const CONNECT_WITHIN_MS = 5_000;

let system: ProcessSet;
let math: ServiceProcess;
const sockets: Socket[] = [];

beforeAll(async () => {
  system = await processSet();
  math = await system.start('math');
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await system?.close();
});

/** Resolves with whether a TCP connection to `port` completed within `ms`. */
function connectsWithin(port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    sockets.push(socket);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

it(`${BURST} connections at once to a service whose event loop is held all complete their handshake at once`, async ({
  annotate,
}) => {
  const port = Number(new URL(system.urls.math).port);
  math.child.kill('SIGSTOP');
  let connected: boolean[];
  try {
    connected = await Promise.all(
      Array.from({ length: BURST }, () => connectsWithin(port, CONNECT_WITHIN_MS)),
    );
  } finally {
    math.child.kill('SIGCONT');
  }
  const completed = connected.filter(Boolean).length;
  await annotate(`measured: ${completed} of ${BURST} handshakes completed while math was stopped`);
  expect(completed).toBe(BURST);
  // Once running again, math accepts them all and still answers.
  const health = await fetch(system.urls.math.replace(/\/graphql$/, '/health'));
  expect(health.status).toBe(200);
});
