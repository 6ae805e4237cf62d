/**
 * Fan-out with nothing but sockets: `count` WebSocket clients in this process (`ws`'s, or the
 * least client there is: rawSocket.ts), connected to
 * bareBroadcastServer.ts, and `events` broadcasts, each timed from the moment the server began
 * writing to every client's receipt. Measured in the same run as the router, so the router's
 * delivery time can be read as a multiple of what this machine's kernel and event loops allow.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { summarizeLatencies, type LatencySummary } from '../lib/stats.js';
import { openRawSocket } from './rawSocket.js';
import { epochNow, logIdOf } from './subscribers.js';

/** Connections opened at once, as the router's subscribers are opened. */
const BATCH = 200;

export interface FloorResult extends LatencySummary {
  /** Median time the server's loop took to write to every socket. */
  loopMs: number;
}

/** What takes the broadcast in: `ws` clients, or the least client there is (rawSocket.ts). */
export type Receivers = 'ws' | 'raw';

interface Receiver {
  close(): void;
}

export async function bareBroadcast(
  count: number,
  events: number,
  receivers: Receivers,
): Promise<FloorResult> {
  const server = fork(new URL('./bareBroadcastServer.ts', import.meta.url));
  const sockets: Receiver[] = [];
  /** The broadcast being waited for: its id and when each socket received it. */
  let expected: { id: string; receipts: number[]; resolve: () => void } | undefined;
  const receipt = (id: string | undefined, at: number) => {
    if (!expected || id !== expected.id) return;
    expected.receipts.push(at);
    if (expected.receipts.length === count) expected.resolve();
  };
  try {
    const [{ port }] = (await once(server, 'message')) as [{ port: number }];
    const url = `ws://127.0.0.1:${port}/`;
    const openOne = async (): Promise<Receiver> => {
      if (receivers === 'raw')
        return openRawSocket(url, (payload) => receipt(logIdOf(payload), epochNow()));
      const socket = new WebSocket(url);
      socket.on('message', (data: WebSocket.RawData) => {
        const at = epochNow();
        const message = JSON.parse(String(data)) as {
          payload: { data: { logAdded: { id: string } } };
        };
        receipt(message.payload.data.logAdded.id, at);
      });
      await once(socket, 'open');
      return { close: () => socket.terminate() };
    };
    while (sockets.length < count) {
      const batch = Math.min(BATCH, count - sockets.length);
      sockets.push(...(await Promise.all(Array.from({ length: batch }, openOne))));
    }
    const latencies: number[] = [];
    const loops: number[] = [];
    for (let event = 0; event < events; event++) {
      const id = randomUUID(); // a log id's size
      const all = new Promise<number[]>((resolve) => {
        const receipts: number[] = [];
        expected = { id, receipts, resolve: () => resolve(receipts) };
      });
      server.send({ broadcast: id });
      const [{ sentAt, loopMs }] = (await once(server, 'message')) as [
        { sentAt: number; loopMs: number },
      ];
      for (const at of await all) latencies.push(at - sentAt);
      loops.push(loopMs);
      await sleep(200);
    }
    loops.sort((a, b) => a - b);
    return {
      ...summarizeLatencies(latencies),
      loopMs: loops[Math.floor(loops.length / 2)] as number,
    };
  } finally {
    for (const socket of sockets) socket.close();
    server.kill();
  }
}
