/**
 * Fan-out with nothing but sockets: `count` plain WebSocket clients in this process, connected to
 * bareBroadcastServer.ts, and `events` broadcasts, each timed from the moment the server began
 * writing to every client's receipt. Measured in the same run as the router, so the router's
 * delivery time can be read as a multiple of what this machine's kernel and event loops allow.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { summarizeLatencies, type LatencySummary } from '../lib/stats.js';
import { epochNow } from './subscribers.js';

/** Connections opened at once, as the router's subscribers are opened. */
const BATCH = 200;

export interface FloorResult extends LatencySummary {
  /** Median time the server's loop took to write to every socket. */
  loopMs: number;
}

export async function bareBroadcast(count: number, events: number): Promise<FloorResult> {
  const server = fork(new URL('./bareBroadcastServer.ts', import.meta.url));
  const sockets: WebSocket[] = [];
  try {
    const [{ port }] = (await once(server, 'message')) as [{ port: number }];
    while (sockets.length < count) {
      const batch = Math.min(BATCH, count - sockets.length);
      await Promise.all(
        Array.from({ length: batch }, async () => {
          const socket = new WebSocket(`ws://127.0.0.1:${port}`);
          await once(socket, 'open');
          sockets.push(socket);
        }),
      );
    }
    const latencies: number[] = [];
    const loops: number[] = [];
    for (let event = 0; event < events; event++) {
      const id = String(event);
      const receipts: number[] = [];
      const all = new Promise<void>((resolve) => {
        for (const socket of sockets)
          socket.once('message', (data: WebSocket.RawData) => {
            const at = epochNow();
            const message = JSON.parse(String(data)) as {
              payload: { data: { logAdded: { id: string } } };
            };
            if (message.payload.data.logAdded.id === id) receipts.push(at);
            if (receipts.length === count) resolve();
          });
      });
      server.send({ broadcast: id });
      const [{ sentAt, loopMs }] = (await once(server, 'message')) as [
        { sentAt: number; loopMs: number },
      ];
      await all;
      for (const at of receipts) latencies.push(at - sentAt);
      loops.push(loopMs);
      await sleep(200);
    }
    loops.sort((a, b) => a - b);
    return {
      ...summarizeLatencies(latencies),
      loopMs: loops[Math.floor(loops.length / 2)] as number,
    };
  } finally {
    for (const socket of sockets) socket.terminate();
    server.kill();
  }
}
