import { CallerGoneError, DeadlinePassedError } from '@microservice-math/shared/cancellation';
import { describe, expect, it } from 'vitest';
import { createChecksInFlight } from './checksInFlight.js';

describe('a login waiting for a check under way to end', () => {
  const waitingWhenAborted = async (reason: Error) => {
    const checks = createChecksInFlight();
    checks.start(['client:203.0.113.7']);
    const controller = new AbortController();
    const waiting = checks.nextEnding(['client:203.0.113.7'], controller.signal);
    controller.abort(reason);
    return waiting.catch((error: unknown) => error);
  };

  it('is refused RATE_LIMITED when its deadline passes: its caller is still there', async () => {
    expect(await waitingWhenAborted(new DeadlinePassedError(15_000))).toMatchObject({
      message: 'Too many sign-ins at once; try again shortly',
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 1 },
    });
  });

  it('is CANCELLED when its caller has gone', async () => {
    expect(await waitingWhenAborted(new CallerGoneError())).toMatchObject({
      extensions: { code: 'CANCELLED' },
    });
  });

  it('goes on when the check ends', async () => {
    const checks = createChecksInFlight();
    checks.start(['account:a']);
    const waiting = checks.nextEnding(['account:a'], new AbortController().signal);
    checks.end(['account:a']);
    await expect(waiting).resolves.toBeUndefined();
  });
});
