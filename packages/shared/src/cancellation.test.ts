/**
 * A request's signal against a real HTTP server and real connections: the caller's deadline
 * as a duration (`x-deadline-ms`, measured from when the request is read) and as an instant
 * (`x-deadline-at`, which also counts the time the request waited unread, with an allowance for
 * the two hosts' clocks), and a connection its caller closed behind the request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signalPastTheMargin } from '../../../tests/support/requestSignal.js';
import {
  abortsAt,
  callerGone,
  CallerGoneError,
  CLOCK_SKEW_ALLOWANCE_MS,
  DEADLINE_AT_HEADER,
  DEADLINE_HEADER,
  DeadlinePassedError,
  pendingCloseRead,
  requestSignal,
  stoppedBySignal,
} from './cancellation.js';

interface Seen {
  /** Whether the signal had aborted when the request was read, and why. */
  abortedAtRead: boolean;
  reason?: unknown;
  /** `Date.now()` when it aborted, if it did while the test waited. */
  abortedAt?: number;
  readAt: number;
  /** When the signal said, as the request was read, it would abort for the deadline (abortsAt). */
  plannedAt?: number | undefined;
  /** How many 'end' listeners the connection had once the response was sent. */
  endListeners?: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, signal: AbortSignal) => Promise<void>;

let server: Server;
let url: string;
let handler: Handler;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.once('end', () => void handler(req, res, requestSignal(req, res)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Answers once the signal aborts (or at once if it has), saying what was seen. */
function answerOnAbort(): Promise<Seen> {
  return new Promise((resolve) => {
    handler = async (_req, res, signal) => {
      const seen: Seen = {
        abortedAtRead: signal.aborted,
        readAt: Date.now(),
        plannedAt: abortsAt(signal),
      };
      if (!signal.aborted)
        await new Promise((aborted) => signal.addEventListener('abort', aborted, { once: true }));
      seen.reason = signal.reason;
      seen.abortedAt = Date.now();
      res.end('done');
      resolve(seen);
    };
  });
}

async function post(headers: Record<string, string>): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers, body: '{}' });
  await response.text();
}

describe('a request’s signal and its caller’s deadline', () => {
  it('aborts at once, as the caller gone, a request read after its caller’s instant deadline and the clock allowance', async () => {
    const seen = answerOnAbort();
    await post({
      [DEADLINE_HEADER]: '60000',
      [DEADLINE_AT_HEADER]: String(Date.now() - CLOCK_SKEW_ALLOWANCE_MS - 2_000),
    });
    const { abortedAtRead, reason } = await seen;
    expect(abortedAtRead).toBe(true);
    expect(reason).toBeInstanceOf(CallerGoneError);
    expect((reason as Error).message).toMatch(/deadline had passed \d+ ms before the request/);
  });

  it('allows for the clocks’ difference: an instant just past is waited on until the allowance has passed too', async () => {
    const at = Date.now() - CLOCK_SKEW_ALLOWANCE_MS + 300;
    const seen = answerOnAbort();
    await post({ [DEADLINE_HEADER]: '60000', [DEADLINE_AT_HEADER]: String(at) });
    const { abortedAtRead, reason, plannedAt } = await seen;
    expect(abortedAtRead).toBe(false);
    expect(reason).toBeInstanceOf(CallerGoneError);
    // When it was to abort, not when its timer fired by Date.now(): that may be early by as long
    // as the event loop's turn had run (see the duration header's test below).
    expect(plannedAt).toBeGreaterThanOrEqual(at + CLOCK_SKEW_ALLOWANCE_MS);
  });

  it('keeps the duration header: alone, or sooner than the instant, it stops the work with its margin', async () => {
    const cases: Array<Record<string, string>> = [
      { [DEADLINE_HEADER]: '400' },
      { [DEADLINE_HEADER]: '400', [DEADLINE_AT_HEADER]: String(Date.now() + 60_000) },
    ];
    for (const headers of cases) {
      const seen = answerOnAbort();
      await post(headers);
      const { abortedAtRead, reason, plannedAt, readAt } = await seen;
      expect(abortedAtRead).toBe(false);
      expect(reason).toBeInstanceOf(DeadlinePassedError);
      // 400 ms less the 250 ms margin, from when the signal read the request (just before the
      // handler's readAt). Not when it fired by Date.now(): Node times a timer from the event
      // loop's cached time, which lags the clock by however long the turn has run, so it may
      // fire that much early by the clock (95 ms after the read, of 150, on a loaded machine).
      expect((plannedAt as number) - readAt).toBeGreaterThan(100);
      expect((plannedAt as number) - readAt).toBeLessThanOrEqual(150);
    }
  });

  // The router's headers: a duration and the same instant. The signal aborts 250 ms short of
  // them (math still answers why), but the caller is gone only once it has given up.
  it('says the caller gone only once it is: not at math’s margin, but when its deadline has passed', async () => {
    const observed = new Promise<{ atMargin: boolean; goneAfterMs: number }>((resolve) => {
      handler = async (_req, res, signal) => {
        const readAt = Date.now();
        if (!signal.aborted)
          await new Promise((aborted) => signal.addEventListener('abort', aborted, { once: true }));
        const atMargin = callerGone(signal);
        await vi.waitFor(() => expect(callerGone(signal)).toBe(true), { timeout: 5_000 });
        res.end('done');
        resolve({ atMargin, goneAfterMs: Date.now() - readAt });
      };
    });
    await post({ [DEADLINE_HEADER]: '400', [DEADLINE_AT_HEADER]: String(Date.now() + 400) });
    const { atMargin, goneAfterMs } = await observed;
    expect(atMargin).toBe(false);
    expect(goneAfterMs).toBeGreaterThanOrEqual(390);
  });

  it('says the caller gone once its connection closes unanswered, after the signal aborted at the margin', async () => {
    // And what the caller is told when the signal stops its work (stoppedBySignal): while it is
    // still there, SERVICE_UNAVAILABLE; once it has gone, CANCELLED, though the signal's reason
    // is still the deadline's.
    const told = (signal: AbortSignal) => stoppedBySignal(signal, 'late', 2).extensions['code'];
    // The caller gives up after math's margin has passed, before its own deadline (600 ms).
    const { signal, callerGoes, close } = await signalPastTheMargin(600);
    try {
      const atMargin = callerGone(signal);
      const toldAtMargin = told(signal);
      await callerGoes();
      expect(atMargin).toBe(false);
      expect(callerGone(signal)).toBe(true);
      expect([toldAtMargin, told(signal)]).toEqual(['SERVICE_UNAVAILABLE', 'CANCELLED']);
    } finally {
      await close();
    }
  });

  it('ignores an instant that is not a number', async () => {
    const seen = answerOnAbort();
    await post({ [DEADLINE_HEADER]: '300', [DEADLINE_AT_HEADER]: 'soon' });
    expect((await seen).reason).toBeInstanceOf(DeadlinePassedError);
  });

  // Obeyed, a timer past 2^31 - 1 ms would fire after 1 ms (and Node would warn on stderr).
  it('ignores an instant further away than the longest deadline', async () => {
    const seen = new Promise<boolean>((resolve) => {
      handler = async (_req, res, signal) => {
        // Obeyed, it would have aborted after 1 ms; 50 ms is many times that.
        await new Promise((later) => setTimeout(later, 50));
        res.end('done');
        resolve(signal.aborted);
      };
    });
    await post({ [DEADLINE_AT_HEADER]: '9000000000000000' });
    expect(await seen).toBe(false);
  });
});

describe('a connection its caller closed behind the request', () => {
  it('is seen after pendingCloseRead, before a quick answer is decided', async () => {
    const seen = new Promise<Seen>((resolve) => {
      handler = async (_req, res, signal) => {
        const readAt = Date.now();
        await pendingCloseRead();
        resolve({ abortedAtRead: signal.aborted, reason: signal.reason, readAt });
        res.end('to nobody');
      };
    });
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    // The request and the connection's end at once: what a process reads when it runs again
    // after its caller gave up on a request queued in its socket.
    socket.end('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}');
    socket.resume();
    socket.on('error', () => {});
    const { abortedAtRead, reason } = await seen;
    expect(abortedAtRead).toBe(true);
    expect(reason).toBeInstanceOf(CallerGoneError);
  });

  it('leaves no listener on a kept-alive connection once each response is sent', async () => {
    const counts: number[] = [];
    handler = async (req, res) => {
      res.end('ok', () => counts.push(req.socket.listenerCount('end')));
    };
    // One connection for the three (fetch keeps it alive), one request at a time.
    for (let i = 0; i < 3; i++) await post({});
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);
  });
});
