import { CallerGoneError, DeadlinePassedError } from '@microservice-math/shared/cancellation';
import { describe, expect, it } from 'vitest';
import { signalPastTheMargin } from '../../../../tests/support/requestSignal.js';
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

  // The deadline's reason stays once set: a login that meets its aborted signal only after its
  // caller has gone (its connection closed past the margin) has nobody to tell to come back.
  it('is CANCELLED when its caller has gone after its deadline passed', async () => {
    const { signal, callerGoes, close } = await signalPastTheMargin(600);
    try {
      const checks = createChecksInFlight();
      checks.start(['client:203.0.113.7']);
      // Not asked while the caller still waits too: that is only the 250 ms between the margin
      // and the caller's deadline, which a loaded machine may miss (the first test here has a
      // caller still there, RATE_LIMITED).
      await callerGoes();
      expect(signal.reason).toBeInstanceOf(DeadlinePassedError);
      const refusal = checks.nextEnding(['client:203.0.113.7'], signal);
      await expect(refusal).rejects.toMatchObject({ extensions: { code: 'CANCELLED' } });
    } finally {
      await close();
    }
  });

  it('goes on when the check ends', async () => {
    const checks = createChecksInFlight();
    checks.start(['account:a']);
    const waiting = checks.nextEnding(['account:a'], new AbortController().signal);
    checks.end(['account:a']);
    await expect(waiting).resolves.toBeUndefined();
  });
});
