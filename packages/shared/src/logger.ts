import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export interface LoggerConfig {
  level: string;
  /** Human-readable lines for a terminal; JSON lines otherwise (production, log shippers). */
  pretty: boolean;
}

export function createLogger(name: string, config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    // Nameless for a root whose children each bind their own `name`.
    ...(name ? { name } : {}),
    level: config.level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-router-secret"]',
        '*.password',
        '*.token',
        'password',
        'token',
      ],
      censor: '[redacted]',
    },
  };
  if (!config.pretty) return pino(options);
  return pino({
    ...options,
    transport: {
      target: 'pino-pretty',
      options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
    },
  });
}

/**
 * A warning said at most once every `everyMs` however often its occasion comes (a database that
 * holds every request's query: one line per request while it lasts would bury the rest). Each
 * call counts; a line says how many came since the last line (the field `countAs`) and the
 * fields of the call that says it.
 */
export function throttledWarning(
  logger: Logger,
  message: string,
  { countAs, everyMs = 5_000 }: { countAs: string; everyMs?: number },
): (fields?: Record<string, unknown>) => void {
  let sinceLine = 0;
  let lastLine = -Infinity;
  return (fields = {}) => {
    sinceLine += 1;
    const now = performance.now();
    if (now - lastLine < everyMs) return;
    logger.warn({ [countAs]: sinceLine, ...fields }, message);
    sinceLine = 0;
    lastLine = now;
  };
}
