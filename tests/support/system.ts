/** Starts the whole system in this process on free ports, with a scratch database, for one test file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLogger, type Logger } from '@microservice-math/shared/logger';
import { startSystem, type RunningSystem } from '../../scripts/system.js';
import { createScratchDatabase, type ScratchDatabase } from './postgres.js';

export const redisUrl = process.env['REDIS_URL'];
export const testDatabaseUrl = process.env['TEST_DATABASE_URL'];

export interface TestSystemOptions {
  database?: 'sqlite' | 'postgres';
  redis?: boolean;
  env?: Record<string, string>;
  /** A logger per service (e.g. one a test reads back); silent unless TEST_LOG_LEVEL is set. */
  logger?: (service: string) => Logger;
}

export interface TestSystem extends RunningSystem {
  dataDir: string;
  databaseUrl: string;
  stop(): Promise<void>;
}

export async function startTestSystem(options: TestSystemOptions = {}): Promise<TestSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mm-test-'));
  let scratch: ScratchDatabase | undefined;
  const databaseUrl =
    options.database === 'postgres'
      ? (scratch = await createScratchDatabase()).url
      : `file:${join(dataDir, 'test.db')}`;
  if (options.redis && !redisUrl) throw new Error('REDIS_URL is not set');
  const system = await startSystem({
    freePorts: true,
    dataDir,
    env: {
      NODE_ENV: 'test',
      BCRYPT_ROUNDS: '4',
      // Every test account comes from one address (this machine).
      REGISTER_MAX_PER_CLIENT: '100000',
      DATABASE_URL: databaseUrl,
      ...(options.redis
        ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: `test-${randomBytes(4).toString('hex')}:` }
        : {}),
      ...options.env,
    },
    logger:
      options.logger ??
      ((service) =>
        createLogger(service, { level: process.env['TEST_LOG_LEVEL'] ?? 'silent', pretty: false })),
  });
  return {
    ...system,
    dataDir,
    databaseUrl,
    async stop() {
      await system.close();
      await scratch?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
