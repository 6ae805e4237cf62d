import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/**
 * One Vitest run, a project per workspace. Integration tests start real servers on free ports,
 * so files run in parallel; each file owns its servers and databases.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'shared',
          root: 'packages/shared',
          include: ['src/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'auth',
          root: 'subgraphs/auth',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'math',
          root: 'subgraphs/math',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'router',
          root: 'router',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      ...(existsSync('client/vitest.config.ts') ? ['client/vitest.config.ts'] : []),
      {
        test: {
          name: 'system',
          root: 'tests',
          include: ['**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
