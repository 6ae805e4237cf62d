/**
 * `npm run dev -w client`: Vite with `/graphql` (HTTP and WebSocket) proxied to the router, so
 * the app talks to the same origin in development as it does behind `server.js`.
 */
import vue from '@vitejs/plugin-vue';
import { defaultClientConditions, defineConfig, type PluginOption } from 'vite';

const routerUrl = parseRouterUrl(process.env['ROUTER_URL']);

export default defineConfig({
  // @vitejs/plugin-vue is hoisted beside Vitest's Vite 8 and typed against it; this build runs the
  // workspace's pinned Vite 7, whose plugin interface is the same at run time.
  plugins: [vue() as unknown as PluginOption],
  // Workspace packages (the shared error codes) are bundled from their TypeScript source.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  server: {
    port: 5173,
    proxy: {
      '/graphql': { target: routerUrl, changeOrigin: true, ws: true },
    },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});

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
