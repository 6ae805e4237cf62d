/**
 * `npm run dev -w client`: Vite with `/graphql` (HTTP and WebSocket) proxied to the router, so
 * the app talks to the same origin in development as it does behind `server.js`.
 * `vite build`: hashed assets with brotli and gzip copies, no source maps (the production page
 * has no business publishing its sources), and Apollo's development checks compiled out.
 */
import vue from '@vitejs/plugin-vue';
import { defaultClientConditions, defineConfig, type PluginOption } from 'vite';
// By path, not by package name: Vite loads its config with Node's resolution, which would want
// the shared package built first; bundled from source, it needs nothing built.
import { precompressOnBuild } from '../packages/shared/src/precompressed.js';

const routerUrl = parseRouterUrl(process.env['ROUTER_URL']);

export default defineConfig(({ command }) => ({
  plugins: [vue(), precompressOnBuild() as PluginOption],
  // Workspace packages (the shared error codes) are bundled from their TypeScript source.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  // Apollo Client prints its DevTools notice and keeps its long error texts while __DEV__ is on.
  define: command === 'build' ? { 'globalThis.__DEV__': 'false' } : {},
  server: {
    port: 5173,
    proxy: {
      '/graphql': { target: routerUrl, changeOrigin: true, ws: true },
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false },
}));

function parseRouterUrl(value: string | undefined): string {
  const url = value === undefined || value === '' ? 'http://localhost:8000' : value;
  try {
    const { protocol } = new URL(url);
    if (protocol === 'http:' || protocol === 'https:') return url;
  } catch {
    // reported below
  }
  throw new Error(
    `ROUTER_URL: expected an http(s) URL like http://localhost:8000 (got ${JSON.stringify(url)})`,
  );
}
