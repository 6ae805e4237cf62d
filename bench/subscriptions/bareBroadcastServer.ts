/**
 * The floor for fan-out on this machine: a bare `ws` server, in a process of its own, that
 * writes one message to every open socket when its parent asks (IPC), with nothing else to do:
 * no GraphQL, no Redis, no per-subscriber state. The message has the size and shape of the
 * router's graphql-ws `next` for `logAdded { id createdAt }`, serialized once per socket as a
 * graphql-ws server does.
 */
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
server.on('listening', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('message', (message: { broadcast?: string }) => {
  if (message.broadcast === undefined) return;
  // Wall-clock, as the receiving process compares it (subscribers.ts, epochNow); the write loop
  // is timed with the monotonic clock.
  const sentAt = Date.now();
  const loopStarted = performance.now();
  const next = {
    id: '1',
    type: 'next',
    payload: {
      data: { logAdded: { id: message.broadcast, createdAt: new Date(sentAt).toISOString() } },
    },
  };
  for (const socket of server.clients) socket.send(JSON.stringify(next));
  process.send?.({ sentAt, loopMs: performance.now() - loopStarted });
});
process.on('disconnect', () => process.exit(0));
