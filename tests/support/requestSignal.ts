/**
 * A request's signal (requestSignal) made over a real HTTP connection, for tests of what work
 * stopped by it tells its caller: the signal aborts at the margin kept short of the caller's
 * deadline (DeadlinePassedError) while the caller still waits, and the caller may go after that.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEADLINE_HEADER, requestSignal } from '@microservice-math/shared/cancellation';

export interface SignalPastTheMargin {
  /** Aborted at the margin (DeadlinePassedError); its caller has not gone yet. */
  signal: AbortSignal;
  /** Closes the caller's connection; resolves once the server has seen it close unanswered. */
  callerGoes(): Promise<void>;
  /** Ends the server and any connection left. */
  close(): Promise<void>;
}

/**
 * The signal of a request whose caller set `x-deadline-ms: deadlineMs`, handed over once it
 * has aborted at the margin (DeadlinePassedError), before the caller's own deadline.
 */
export async function signalPastTheMargin(deadlineMs: number): Promise<SignalPastTheMargin> {
  const server = createServer();
  const read = new Promise<{ signal: AbortSignal; res: ServerResponse }>((resolve) => {
    server.once('request', (req, res: ServerResponse) => {
      req.resume();
      req.once('end', () => resolve({ signal: requestSignal(req, res), res }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  const caller = new AbortController();
  const request = fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
    method: 'POST',
    headers: { [DEADLINE_HEADER]: String(deadlineMs) },
    body: '{}',
    signal: caller.signal,
  }).catch(() => undefined);
  const { signal, res } = await read;
  if (!signal.aborted)
    await new Promise((aborted) => signal.addEventListener('abort', aborted, { once: true }));
  return {
    signal,
    async callerGoes() {
      caller.abort();
      if (!res.closed) await new Promise((closed) => res.once('close', closed));
      await request;
    },
    close,
  };
}
