/**
 * Precompressed delivery of a Vite build, shared by the web app's server and the router's
 * GraphiQL playground: at build time a brotli (`.br`) and a gzip (`.gz`) copy is written beside
 * every text asset, at the highest levels, once; at run time the copy the browser accepts is
 * sent with the original's type and cache lifetime, so no CPU is spent compressing per request.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, posix, relative, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { RequestHandler } from 'express';

/** Vite fingerprints everything under assets/, so those files never change. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|wasm|map|ttf)$/;
/** Below this a compressed copy saves less than the bytes of its own headers. */
const SMALLEST = 1024;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ttf': 'font/ttf',
};

/** Preferred first: brotli is smaller, gzip is understood everywhere. */
const ENCODINGS = [
  ['br', '.br'],
  ['gzip', '.gz'],
] as const;

/** Writes the compressed copies of every compressible file under `directory`. */
export function precompressDirectory(directory: string): void {
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) {
      precompressDirectory(path);
      continue;
    }
    if (!COMPRESSIBLE.test(name)) continue;
    const content = readFileSync(path);
    if (content.length < SMALLEST) continue;
    const brotli = brotliCompressSync(content, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
      },
    });
    const gzip = gzipSync(content, { level: 9 });
    if (brotli.length < content.length) writeFileSync(`${path}.br`, brotli);
    if (gzip.length < content.length) writeFileSync(`${path}.gz`, gzip);
  }
}

/**
 * A Vite plugin that precompresses the build once it is written. Typed by its shape, so this
 * package needs no Vite; pass it to `plugins` as Vite's `PluginOption`.
 */
export function precompressOnBuild() {
  let outDir = 'dist';
  return {
    name: 'microservice-math:precompress',
    apply: 'build' as const,
    configResolved(config: { root: string; build: { outDir: string } }) {
      outDir = config.build.outDir.startsWith('/')
        ? config.build.outDir
        : join(config.root, config.build.outDir);
    },
    closeBundle() {
      precompressDirectory(outDir);
    },
  };
}

/**
 * Serves the brotli or gzip copy of a file under `distDir` to a browser that accepts it; any
 * other request falls through (to `express.static`), but for a copy asked for by its own name,
 * which is not found (404). The copies are listed once, when the handler is made, so a request
 * costs a map lookup. Paths are relative to where it is mounted.
 */
export function precompressedAssets(distDir: string): RequestHandler {
  /** URL path → the encodings that have a copy. */
  const copies = new Map<string, string[]>();
  /**
   * The copies' own paths: not pages of the site. Asked for by name, one would be sent as
   * opaque bytes (application/octet-stream, no Content-Encoding), so it is not found.
   */
  const copyPaths = new Set<string>();
  for (const file of listFiles(distDir)) {
    const urlPath = `/${relative(distDir, file).split(sep).join('/')}`;
    const present = ENCODINGS.filter(([, suffix]) => existsSync(file + suffix));
    for (const [, suffix] of present) copyPaths.add(urlPath + suffix);
    if (present.length > 0)
      copies.set(
        urlPath,
        present.map(([name]) => name as string),
      );
  }

  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (copyPaths.has(asStaticReadsIt(req.path))) {
      res.sendStatus(404);
      return;
    }
    const path = req.path === '/' ? '/index.html' : req.path;
    const available = copies.get(path);
    if (!available) return next();
    res.vary('Accept-Encoding');
    const encoding = ENCODINGS.find(
      ([name]) => available.includes(name) && req.acceptsEncodings(name) === name,
    );
    if (!encoding) return next();
    const [name, suffix] = encoding;
    res.setHeader('content-type', TYPES[extname(path)] ?? 'application/octet-stream');
    res.setHeader('content-encoding', name);
    res.setHeader('cache-control', path.startsWith('/assets/') ? IMMUTABLE : 'no-cache');
    res.sendFile(join(distDir, path) + suffix, { cacheControl: false }, (error) => {
      if (error) next(error);
    });
  };
}

/**
 * A URL path as `express.static` resolves it to a file: percent-decoded, its `//`, `.` and `..`
 * segments resolved (so `/index.html%2Ebr` and `//index.html.br` name `/index.html.br` too).
 * Undecodable, it is left as it is: static refuses it.
 */
function asStaticReadsIt(path: string): string {
  try {
    return posix.normalize(decodeURIComponent(path));
  } catch {
    return path;
  }
}

function listFiles(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return listFiles(path);
    return ENCODINGS.some(([, suffix]) => name.endsWith(suffix)) ? [] : [path];
  });
}
