/**
 * The services' log lines, kept for the test to read: a logger factory for `startSystem` (one
 * pino logger per service, JSON lines into one array) and the lines at error level or above.
 */
import type { Logger } from '@microservice-math/shared/logger';
import { pino } from 'pino';

export interface LogLine {
  level: number;
  service: string;
  msg: string;
  err?: { message?: string; type?: string };
  [field: string]: unknown;
}

export interface ServiceLogs {
  logger: (service: string) => Logger;
  lines: LogLine[];
  /** Error (50) and fatal (60) lines, as `service: message (cause)` for a readable failure. */
  errors(): string[];
}

const ERROR_LEVEL = 50;

export function serviceLogs(): ServiceLogs {
  const lines: LogLine[] = [];
  return {
    lines,
    logger: (service) =>
      pino(
        { level: 'info', base: { service } },
        { write: (line: string) => lines.push(JSON.parse(line) as LogLine) },
      ),
    errors: () =>
      lines
        .filter((line) => line.level >= ERROR_LEVEL)
        .map((line) => `${line.service}: ${line.msg} (${line.err?.message ?? 'no error'})`),
  };
}
