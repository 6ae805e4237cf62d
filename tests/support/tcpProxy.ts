/**
 * A TCP proxy on a free port in front of another local port, that a test can cut and restore:
 * one service's path to a shared server (Redis) fails while every other service still reaches
 * it, as in a network partition.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Closes every proxied connection and closes each new one at once until `restore()`. */
  cut(): void;
  restore(): void;
  /**
   * Holds every byte either way, on open and new connections, until `release()`: a database
   * that accepts connections and answers nothing (paused, a black-holed route).
   */
  hold(): void;
  release(): void;
  /** Chunks held since `hold()`: a test awaits the bytes it means to hold reaching the proxy. */
  readonly heldChunks: number;
  /** Connections closed at once because the proxy was cut, so far. */
  readonly refused: number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let isCut = false;
  let refused = 0;
  let held: Array<[Socket, Buffer]> | undefined;
  const server = createServer((client) => {
    if (isCut) {
      refused += 1;
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      // Either side's error ends both: the other one sees its connection close.
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    const forward = (from: Socket, to: Socket) =>
      from.on('data', (chunk: Buffer) => (held ? held.push([to, chunk]) : to.write(chunk)));
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    cut() {
      isCut = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      isCut = false;
    },
    hold() {
      held ??= [];
    },
    release() {
      const chunks = held ?? [];
      held = undefined;
      for (const [to, chunk] of chunks) if (!to.destroyed) to.write(chunk);
    },
    get refused() {
      return refused;
    },
    get heldChunks() {
      return held?.length ?? 0;
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
