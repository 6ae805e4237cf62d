/**
 * throttledWarning, which auth's given-up reads (databaseErrors.ts) and math's log writer say
 * their warnings through: one line at most every 5 s, the next counting the calls it stood for.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { createLogger, throttledWarning } from './logger.js';

afterEach(() => {
  vi.useRealTimers();
});

it('throttledWarning logs nothing more within 5 s of a line, then one counting every call since it', () => {
  vi.useFakeTimers({ toFake: ['performance'] });
  const logger = createLogger('test', { level: 'silent', pretty: false });
  const warned = vi.spyOn(logger, 'warn');
  const note = throttledWarning(logger, 'reads given up', { countAs: 'givenUp' });
  const first = [{ givenUp: 1, call: 1 }, 'reads given up'];

  note({ call: 1 });
  note({ call: 2 });
  vi.advanceTimersByTime(4_999);
  note({ call: 3 });
  expect(warned.mock.calls).toEqual([first]);

  vi.advanceTimersByTime(1);
  note({ call: 4 });
  // The two held back and this one, with this one's fields.
  expect(warned.mock.calls).toEqual([first, [{ givenUp: 3, call: 4 }, 'reads given up']]);
});
