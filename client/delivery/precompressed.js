// @ts-check
/**
 * Serves the build's brotli or gzip copy of a file (written by `precompress.ts`) to a browser
 * that accepts it, with the original's type and cache lifetime; any other request falls through
 * to `express.static`. The copies are listed once at start-up, so a request costs a map lookup.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

/** Vite fingerprints everything under assets/, so those files never change. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

const TYPES = /** @type {Record<string, string>} */ ({
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
});

/** Preferred first: brotli is smaller, gzip is understood everywhere. */
const ENCODINGS = /** @type {const} */ ([
  ['br', '.br'],
  ['gzip', '.gz'],
]);

/**
 * @param {string} distDir
 * @returns {import('express').RequestHandler}
 */
export function precompressedAssets(distDir) {
  /** URL path → the encodings that have a copy. */
  const copies = new Map();
  for (const file of listFiles(distDir)) {
    const encodings = ENCODINGS.filter(([, suffix]) => existsSync(file + suffix)).map(
      ([name]) => name,
    );
    if (encodings.length > 0)
      copies.set(`/${relative(distDir, file).split(sep).join('/')}`, encodings);
  }

  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
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

/** @param {string} directory @returns {string[]} */
function listFiles(directory) {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return listFiles(path);
    return ENCODINGS.some(([, suffix]) => name.endsWith(suffix)) ? [] : [path];
  });
}
