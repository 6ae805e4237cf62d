/**
 * Sockets waiting to sign in are capped per client address: an outside probe held 200 sockets
 * from one address that never sent connection_init (graphql-ws closes each after 3 s, and they
 * can be opened again at once). Past the cap the next upgrade is refused with HTTP 429 and the
 * reason, before any socket exists; a socket whose connection is decided (acknowledged here) or
 * that closes gives its place back; other addresses are not affected. Over a real graphql-ws
 * server (the router's subscriptionServer.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { capturedLog } from '../../test/support/capturedLog.js';
import {
  listeningSubscriptionServer,
  unsignedToken,
  type ListeningSubscriptionServer,
} from '../../test/support/faultyStreams.js';
import { waitFor } from '../../../tests/support/waitFor.js';

const WAITING = 3;
const log = capturedLog();
let running: ListeningSubscriptionServer;
let url: string;
const opened: WebSocket[] = [];

beforeAll(async () => {
  running = await listeningSubscriptionServer(
    log.logger,
    { connectionsPerUser: 100, operationsPerConnection: 10, waitingPerAddress: WAITING },
    // The test says which address each socket comes from.
    { clientAddressOf: (request) => String(request.headers['x-test-address']) },
  );
  url = running.url;
});

afterAll(async () => {
  for (const socket of opened) socket.terminate();
  await running?.close();
});

/** A socket from `address`, once open, or the HTTP answer that refused its upgrade. */
function upgrade(address: string): Promise<{ socket: WebSocket } | { refused: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', {
      headers: { 'x-test-address': address },
    });
    opened.push(socket);
    let settled = false;
    socket.on('error', (error) => {
      if (!settled) reject(error);
    });
    socket.once('open', () => {
      settled = true;
      resolve({ socket });
    });
    socket.once('unexpected-response', (_request, response) => {
      settled = true;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({
          refused:
            `${response.statusCode} (retry after ${response.headers['retry-after']} s, ` +
            `${response.headers['content-type']}, ${response.headers['x-content-type-options']}): ${body}`,
        }),
      );
    });
  });
}

/** A socket from `address`, open; it sends nothing, so it waits to sign in. */
async function waitingSocket(address: string): Promise<WebSocket> {
  const upgraded = await upgrade(address);
  if (!('socket' in upgraded)) throw new Error(`refused: ${upgraded.refused}`);
  return upgraded.socket;
}

/** What the server answers `socket`'s connection_init: 'connection_ack', or how it closed it. */
function signIn(socket: WebSocket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('message', (data) => resolve(JSON.parse(data.toString()).type as string));
    socket.once('close', (code, reason) => resolve(`closed ${code}: ${reason.toString()}`));
    socket.send(
      JSON.stringify({
        type: 'connection_init',
        payload: { authorization: `Bearer ${unsignedToken}` },
      }),
    );
  });
}

/** A new socket from `address` that signs in at once: acknowledged, or how it was refused. */
async function attempt(address: string): Promise<string> {
  const upgraded = await upgrade(address);
  return 'socket' in upgraded ? signIn(upgraded.socket) : `refused ${upgraded.refused}`;
}

const REFUSED =
  'refused 429 (retry after 3 s, text/plain; charset=utf-8, nosniff): ' +
  `Too many connections waiting to sign in: at most ${WAITING} per address`;

describe('sockets waiting to sign in, per client address', () => {
  it('past the cap the next upgrade is refused 429; a decided or closed socket gives its place back; other addresses are not affected', async () => {
    const address = '198.51.100.1';
    const waiting = await Promise.all(
      Array.from({ length: WAITING }, () => waitingSocket(address)),
    );

    // The next from that address is refused before it is a socket, and told why; another
    // address is not.
    expect(await attempt(address)).toBe(REFUSED);
    expect(await attempt('198.51.100.2')).toBe('connection_ack');

    // One that signs in stops waiting: its place is free once it is acknowledged.
    expect(await signIn(waiting[0]!)).toBe('connection_ack');
    expect(await attempt(address)).toBe('connection_ack');

    // Full again; one that closes gives its place back once the server has seen the close.
    waiting.push(await waitingSocket(address));
    expect(await attempt(address)).toBe(REFUSED);
    waiting[1]!.close();
    await waitFor(async () => expect(await attempt(address)).toBe('connection_ack'));
  });
});
