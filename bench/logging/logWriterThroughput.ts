/**
 * How many request-log rows math's own log writer commits per second into a database, driven
 * directly (no HTTP, no GraphQL): the writer's capacity, apart from everything else a request
 * costs. Events go to an in-process bus with no subscriber, so the figure is the database's.
 */
import { databaseTarget, openDatabase } from '@microservice-math/shared/database';
import { createEventBus } from '@microservice-math/shared/events';
import { createLogger } from '@microservice-math/shared/logger';
import { createLogWriter, type NewRequestLog } from '@microservice-math/math/logs/logWriter';
import { RequestLogSchema } from '@microservice-math/math/logs/RequestLog';
import { mathMigrations } from '@microservice-math/math/migrations/index';

export interface WriterThroughput {
  /** All rows queued at once: the writer fills every batch. */
  burstRowsPerSecond: number;
  /** `concurrency` writers, each waiting for its row to commit before the next. */
  concurrentRowsPerSecond: number;
}

const entry = (i: number): NewRequestLog => ({
  userId: 'bench-user',
  username: 'bench',
  operation: 'FACTORIAL',
  input: `{"n":${i % 1000}}`,
  resultPreview: '2432902008176640000',
  digits: 19,
  cached: true,
  durationMs: 0.2,
  status: 'ok',
});

export async function measureLogWriter(
  databaseUrl: string,
  rows: number,
  concurrency: number,
): Promise<WriterThroughput> {
  const logger = createLogger('bench', { level: 'silent', pretty: false });
  const orm = await openDatabase({
    target: databaseTarget(databaseUrl, 'unused.db'),
    entities: [RequestLogSchema],
    migrationsTable: 'math_migrations',
    migrations: mathMigrations,
    logger,
  });
  const events = createEventBus(undefined, logger);
  const writer = createLogWriter({ orm, events, logger });
  try {
    // The first batches pay for connections, statement preparation and the JIT.
    await Promise.all(Array.from({ length: 200 }, (_, i) => writer.write(entry(i))));
    let started = performance.now();
    await Promise.all(Array.from({ length: rows }, (_, i) => writer.write(entry(i))));
    const burstRowsPerSecond = rows / ((performance.now() - started) / 1000);

    let next = 0;
    const oneWriter = async () => {
      while (next < rows) await writer.write(entry(next++));
    };
    started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, oneWriter));
    const concurrentRowsPerSecond = rows / ((performance.now() - started) / 1000);
    return { burstRowsPerSecond, concurrentRowsPerSecond };
  } finally {
    await writer.close();
    await events.close();
    await orm.close();
  }
}
