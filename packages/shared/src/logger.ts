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
