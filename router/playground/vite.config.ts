/**
 * Builds the GraphiQL page into router/dist/playground. The router serves the files under
 * /graphql/playground/ (a path under /graphql, so a proxy that forwards /graphql, like the web
 * client's, serves the page's assets too) and the page itself on a browser GET of /graphql.
 */
import { fileURLToPath } from 'node:url';
// By path, not by package name: Vite loads its config with Node's resolution, which would want
// the shared package built first; bundled from source, it needs nothing built.
import { precompressOnBuild } from '../../packages/shared/src/precompressed.js';
import { defineConfig, type PluginOption } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/graphql/playground/',
  // Brotli and gzip copies of every asset, sent by the router to browsers that accept them.
  plugins: [precompressOnBuild() as PluginOption],
  // GraphiQL's Monaco workers are ES modules.
  worker: { format: 'es' },
  build: {
    outDir: fileURLToPath(new URL('../dist/playground', import.meta.url)),
    emptyOutDir: true,
    // Monaco alone is several MB; this page is the only one that loads it.
    chunkSizeWarningLimit: 6_000,
    rollupOptions: {
      // GraphiQL's React packages mark modules "use client" / "use no memo", directives for React
      // frameworks that a plain bundle ignores: dozens of warnings on every `npm start`, none
      // about anything of ours.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
});
