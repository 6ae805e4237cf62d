/**
 * The least a WebSocket client can do, for receivers whose own work must not be what a fan-out
 * benchmark measures: 5,000 `ws` clients in one process spend longer taking in one broadcast
 * than a server spends sending it (see main.ts). This one opens the connection (RFC 6455
 * handshake, an optional subprotocol), sends text frames, answers pings, and hands each text
 * frame's payload to its listener undecoded; no extensions, no fragmented messages (neither
 * `ws` nor graphql-ws sends them here). Frames are masked with a zero key, which servers accept
 * and which spares the XOR: these sockets only ever talk to this machine.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;

function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const extended = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const header = Buffer.alloc(2 + extended + 4); // the 4-byte mask key stays zero
  header[0] = 0x80 | opcode;
  if (extended === 0) header[1] = 0x80 | length;
  else if (extended === 2) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

export interface RawSocket {
  sendText(text: string): void;
  close(): void;
}

/**
 * Connects to `url` (ws://host:port/path, with `protocol` as its subprotocol when given);
 * `onText` receives each text frame's payload as it is read.
 */
export async function openRawSocket(
  url: string,
  onText: (payload: Buffer) => void,
  protocol?: string,
): Promise<RawSocket> {
  const { hostname, port, pathname } = new URL(url);
  const socket: Socket = connect({ host: hostname, port: Number(port), noDelay: true });
  await once(socket, 'connect');
  const key = randomBytes(16).toString('base64');
  socket.write(
    `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
      (protocol ? `Sec-WebSocket-Protocol: ${protocol}\r\n` : '') +
      '\r\n',
  );
  let buffered: Buffer = Buffer.alloc(0);
  let upgraded = false;
  const ready = new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      if (!upgraded) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = buffered.subarray(0, buffered.indexOf('\r\n')).toString('latin1');
        if (!status.startsWith('HTTP/1.1 101')) {
          reject(new Error(`no WebSocket upgrade: ${status}`));
          socket.destroy();
          return;
        }
        upgraded = true;
        buffered = buffered.subarray(end + 4);
        resolve();
      }
      while (buffered.length >= 2) {
        const opcode = (buffered[0] as number) & 0x0f;
        let length = (buffered[1] as number) & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffered.length < 4) return;
          length = buffered.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffered.length < 10) return;
          length = Number(buffered.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffered.length < offset + length) return;
        const payload = buffered.subarray(offset, offset + length);
        buffered = buffered.subarray(offset + length);
        if (opcode === OPCODE_TEXT) onText(payload);
        else if (opcode === OPCODE_PING) socket.write(frame(OPCODE_PONG, Buffer.from(payload)));
        else if (opcode === OPCODE_CLOSE) socket.end();
      }
    });
  });
  await ready;
  // A reset while the benchmark closes its sockets is no failure of the run.
  socket.on('error', () => {});
  return {
    sendText: (text) => void socket.write(frame(OPCODE_TEXT, Buffer.from(text))),
    close: () => {
      if (!socket.destroyed) socket.end(frame(OPCODE_CLOSE, Buffer.alloc(0)));
      socket.destroy();
    },
  };
}
