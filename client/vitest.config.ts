/**
 * The `client` project of the root Vitest run: component and logic tests in a happy-dom page
 * (files that need real sockets opt into the node environment).
 */
import vue from '@vitejs/plugin-vue';
import { defaultClientConditions } from 'vite';
import { configDefaults, defineProject } from 'vitest/config';

export default defineProject({
  plugins: [vue()],
  // As in vite.config.ts: workspace packages from their TypeScript source.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  // And in the node environment (the web app's server, which imports the shared delivery code).
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    name: 'client',
    root: import.meta.dirname,
    environment: 'happy-dom',
    // As in the root config: a worker keeps its loaded modules from one test file to the next.
    isolate: false,
    // Room for a wait's 15 s (tests/support/waitFor.ts) on a loaded machine, as the server
    // project has: Vitest's 5 s default would end the test first.
    testTimeout: 30_000,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Soaks and benchmark runs belong to the root config's `slow` project.
    exclude: [...configDefaults.exclude, '**/*.slow.test.ts'],
  },
});
