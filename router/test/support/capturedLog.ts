/** A pino logger whose JSON lines a test can read back (to find a request id, a warning…). */
import { Writable } from 'node:stream';
import type { Logger } from '@microservice-math/shared/logger';
import { pino } from 'pino';

export interface CapturedLog {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  /** Resolves with the first line that matches, waiting for it up to `timeoutMs`. */
  waitFor(
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
}

export function capturedLog(): CapturedLog {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return {
    logger: pino({ level: 'info' }, stream),
    lines,
    async waitFor(match, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching log line in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
