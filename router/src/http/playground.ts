/**
 * GraphiQL for people exploring the API: a browser GET of /graphql gets the page (Apollo
 * Server's landing-page hook decides what counts as a browser), and the files Vite built are
 * served from /graphql/playground/. Nothing of it is loaded by any other route, and nothing
 * comes from a CDN. The bundle is built separately (`npm run build:playground -w router`); when
 * it is missing the router says so in its log and on the page instead of serving a blank one.
 * The build writes brotli and gzip copies of its assets (several MB, Monaco most of it), sent to
 * browsers that accept them as the web app's server does (shared/precompressed.ts).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { codedError, RequestErrorCode } from '@microservice-math/shared/errors';
import type { Logger } from '@microservice-math/shared/logger';
import { precompressedAssets } from '@microservice-math/shared/precompressed';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';

/** Where `npm run build:playground -w router` writes the page (see router/playground/vite.config.ts). */
export const builtPlaygroundDir = fileURLToPath(new URL('../../dist/playground/', import.meta.url));
/** Vite's `base`: a path under /graphql, so a proxy that forwards /graphql serves the assets too. */
export const PLAYGROUND_ASSETS_PATH = '/graphql/playground';

const BUILD_HINT =
  'The GraphiQL playground is not built: run `npm run build:playground -w router` (`npm start` does it), then reload';

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Playground not built</title></head>
<body><p>${BUILD_HINT.replace(/`([^`]+)`/g, '<code>$1</code>')}.</p>
<p>GraphQL itself works: POST queries to this URL.</p></body></html>`;

export interface Playground {
  /** Answers a browser's GET of /graphql with the page. */
  plugin: ApolloServerPlugin<BaseContext>;
  /** Serves the page's scripts, styles, workers and fonts. Mount before /graphql itself. */
  mountAssets(app: Express): void;
}

/**
 * What a browser gets with the page and its assets: never framed (clickjacking a signed-in
 * playground), never type-sniffed, no referrer. No script policy: GraphiQL's editor runs in
 * workers and injects styles, and the page is only served outside production or on request.
 */
export function playgroundHeaders(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET') {
    res.setHeader('content-security-policy', "frame-ancestors 'none'; object-src 'none'");
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-frame-options', 'DENY');
  }
  next();
}

/**
 * Without the playground (production), a browser opening /graphql would get Apollo Server's CSRF
 * refusal, which speaks of preflight headers: it is told what the URL is for instead. A GET
 * carrying a query is GraphQL over GET and goes on as before.
 */
export function noPlaygroundPage(req: Request, res: Response, next: NextFunction): void {
  if (req.query['query'] !== undefined || !req.headers.accept?.includes('text/html')) return next();
  res.status(400).json({
    errors: [
      codedError(
        RequestErrorCode.BadRequest,
        'This router serves no playground: send GraphQL operations with POST (or a query with GET and ?query=)',
      ).toJSON(),
    ],
  });
}

export function createPlayground(logger: Logger, dir = builtPlaygroundDir): Playground {
  const indexHtml = join(dir, 'index.html');
  return {
    plugin: {
      async serverWillStart() {
        if (!existsSync(indexHtml)) logger.warn({ dir }, BUILD_HINT);
        return {
          async renderLandingPage() {
            // Read on each visit, so building while the router runs needs no restart.
            return { html: () => readFile(indexHtml, 'utf8').catch(() => notBuiltPage) };
          },
        };
      },
    },
    mountAssets(app) {
      app.use('/graphql', playgroundHeaders);
      app.use(
        PLAYGROUND_ASSETS_PATH,
        // The copies are listed when the router starts: a build while it runs is served plain.
        precompressedAssets(dir),
        express.static(dir, {
          index: false,
          // Vite fingerprints every asset name, so a file at a given URL never changes.
          immutable: true,
          maxAge: '365d',
        }),
        (_req, res) => {
          const built = existsSync(indexHtml);
          res.status(404).json({
            errors: [{ message: built ? 'No such playground asset' : BUILD_HINT }],
          });
        },
      );
    },
  };
}
