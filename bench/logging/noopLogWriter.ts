/**
 * A log writer that does nothing: it answers every write at once with the record it would have
 * stored, and neither writes a row nor publishes an event. Substituted for math's own
 * `logs/logWriter.ts` by noopLogWriterHooks.ts, only in the "logging off" math process of the
 * logging benchmark; production code is not changed.
 */
import { randomUUID } from 'node:crypto';
import type { LogWriter, LogWriterOptions } from '@microservice-math/math/logs/logWriter';

export function createLogWriter(_options: LogWriterOptions): LogWriter {
  return {
    write: async (entry) => ({ ...entry, id: randomUUID(), createdAt: new Date().toISOString() }),
    flush: async () => {},
    close: async () => {},
    queueDepth: 0,
  };
}
