/**
 * The one way tests wait for a fact: Vitest's `vi.waitFor`, retried until `check` passes (returns
 * without throwing, or resolves) or `timeoutMs` has passed. The default is generous because a
 * loaded machine delays facts, never changes them; a test that passes waits only as long as the
 * fact takes.
 */
import { vi } from 'vitest';

export const WAIT_TIMEOUT_MS = 15_000;

export function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs: number = WAIT_TIMEOUT_MS,
): Promise<T> {
  return vi.waitFor(check, { timeout: timeoutMs, interval: 50 });
}
