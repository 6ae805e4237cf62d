/**
 * `npm run bundle` (part of `npm run build`): each service's `dist/main.js`, as tsc emitted it,
 * becomes one bundle of its own code and its libraries, written over it, with the modules it
 * imports lazily split into `dist/main-*.js` chunks beside it (tsc's file stays as
 * `dist/main.unbundled.js`).
 *
 * Why: Node's module loader, not the service, is most of a start. Loading ~1,300 modules one by
 * one (resolving each through package.json files, stat calls, CommonJS wrappers) cost the router
 * about 1.8 s of CPU before its first request, auth 2.3 s and math 2.0 s; the bundles start in
 * about 1.0, 1.1 and 1.4 s (measured on this project's 2-core machine, each start to `/health`).
 * That is every container start and restart, and the ~90 service processes the tests start.
 *
 * The rest of `dist/` stays as tsc emitted it: worker threads (auth's password workers, math's
 * compute workers) load their modules from there, by paths relative to the module that starts
 * them. So the bundle keeps every `import.meta.url` of our own modules meaning what it meant
 * before bundling: each is rewritten to the URL its module had in `dist/`.
 */
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { repoRoot, serverWorkspaces } from './freshBuild.js';

/** The services whose `dist/main.js` is bundled, relative to the root. */
export const bundledServices = ['subgraphs/auth', 'subgraphs/math', 'router'];

/**
 * Left to Node, loaded from node_modules as before: native addons (sqlite3), packages that find
 * their own files or start threads by paths beside themselves (piscina, pino's transports,
 * ioredis, which reads its own package.json for the version it tells Redis), and the optional
 * database drivers knex and MikroORM name but this project does not install. The bundled
 * libraries' other uses of `__dirname` are not reached by the services (knex's migration stubs).
 */
export const external = [
  'sqlite3',
  'piscina',
  'ioredis',
  'pino',
  'pino-pretty',
  'thread-stream',
  'pg-native',
  'pg-query-stream',
  'better-sqlite3',
  'libsql',
  'mysql',
  'mysql2',
  'mariadb',
  'oracledb',
  'tedious',
  '@mikro-orm/better-sqlite',
  '@mikro-orm/entity-generator',
  '@mikro-orm/libsql',
  '@mikro-orm/mariadb',
  '@mikro-orm/mongodb',
  '@mikro-orm/mssql',
  '@mikro-orm/mysql',
  '@mikro-orm/seeder',
  'typescript',
  'ts-node',
  '@swc/core',
];

/** A bundle chunk's file name starts with this; tsc emits no such file (no source is `main-*`). */
const CHUNK_PREFIX = 'main-';

/** Our own built modules (any workspace's dist), whose `import.meta.url` must keep its meaning. */
const ownBuiltModule =
  /[\\/](?:router|subgraphs[\\/][^\\/]+|packages[\\/][^\\/]+)[\\/]dist[\\/].*\.js$/;

/**
 * Rewrites `import.meta.url` in our own modules to the URL the module had before bundling,
 * relative to the bundle (which sits in `dist/`, beside the unbundled tree).
 */
function moduleUrlsKept(outdir: string): Plugin {
  return {
    name: 'module-urls-kept',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: ownBuiltModule }, async ({ path }) => {
        const contents = await readFile(path, 'utf8');
        if (!contents.includes('import.meta.url')) return { contents, loader: 'js' };
        const fromBundle = relative(outdir, path).split(sep).join('/');
        const own = JSON.stringify(fromBundle.startsWith('.') ? fromBundle : `./${fromBundle}`);
        return {
          contents: contents.replaceAll('import.meta.url', `new URL(${own}, import.meta.url).href`),
          loader: 'js',
        };
      });
    },
  };
}

/** The first line of every bundle (see `banner` below), and so how a bundle is told from tsc's file. */
const BANNER =
  "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);";

/**
 * tsc's entry point, kept beside the bundle under this name: it loads the service module by module,
 * which tools that swap one module for another by its path need (the logging benchmark's "logging
 * off") and which a CPU profile attributes to packages.
 */
export const UNBUNDLED_MAIN = 'main.unbundled.js';

/** Bundles one service's `dist/main.js` in place; `service` is its directory under the root. */
export async function bundleService(service: string, root = repoRoot): Promise<void> {
  const outdir = join(root, service, 'dist');
  const main = join(outdir, 'main.js');
  const unbundled = join(outdir, UNBUNDLED_MAIN);
  // tsc has just written main.js (and its map), unless this is a second bundling of one build.
  const emitted = await readFile(main, 'utf8');
  if (!emitted.startsWith(BANNER)) {
    const mapName = `${UNBUNDLED_MAIN}.map`;
    await writeFile(unbundled, emitted.replace(/main\.js\.map\s*$/, `${mapName}\n`));
    await rm(main);
    await rename(join(outdir, 'main.js.map'), join(outdir, mapName)).catch(() => undefined);
  }
  // Chunks of an earlier bundle: their names hash their contents, so a new bundle's differ.
  for (const name of await readdir(outdir)) {
    if (name.startsWith(CHUNK_PREFIX)) await rm(join(outdir, name));
  }
  await build({
    entryPoints: { main: unbundled },
    outdir,
    bundle: true,
    splitting: true, // what main.js and its modules import lazily stays lazy
    chunkNames: `${CHUNK_PREFIX}[name]-[hash]`,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external,
    plugins: [moduleUrlsKept(outdir)],
    // CommonJS libraries in an ES module bundle still call require() for Node's own modules.
    banner: { js: BANNER },
    legalComments: 'none',
    // Maps back to the TypeScript through tsc's own maps: a stack trace under
    // --enable-source-maps names src/ files and lines, not a chunk's line 130,000.
    sourcemap: true,
    logLevel: 'warning',
  });
}

export async function bundleServices(root = repoRoot): Promise<void> {
  for (const service of bundledServices) await bundleService(service, root);
}

/** What each tsconfig.build.json leaves out of `dist/`. */
const notBuilt = /(\.test|\.fixtures)\.ts$|[\\/]poolSmoke\.ts$/;

/**
 * The JavaScript `tsc -p tsconfig.build.json` emits, module for module, with esbuild: the same
 * compiler options (esbuild reads the tsconfig), no type check and no declarations. The tests'
 * build takes this path (scripts/freshBuild.ts's serverBuild): a second or two against tsc's
 * 15–20 s of CPU without a check. `npm run build`, which the images run, is tsc's, types checked.
 */
export async function emitServers(root = repoRoot): Promise<void> {
  await Promise.all(
    serverWorkspaces.map(async (workspace) => {
      const src = join(root, workspace, 'src');
      const entries = (await readdir(src, { recursive: true }))
        .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !notBuilt.test(file))
        .map((file) => join(src, file));
      await build({
        entryPoints: entries,
        outdir: join(root, workspace, 'dist'),
        outbase: src,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        sourcemap: true,
        tsconfig: join(root, workspace, 'tsconfig.build.json'),
        logLevel: 'warning',
      });
    }),
  );
}

if (import.meta.filename === resolve(process.argv[1] ?? '')) {
  // `--emit`: tsc's emit first, with esbuild (scripts/freshBuild.ts); `npm run bundle` runs after tsc.
  if (process.argv.includes('--emit')) await emitServers();
  await bundleServices();
}
