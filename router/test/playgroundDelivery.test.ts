/**
 * The playground's assets (several MB, Monaco most of it) leave the router precompressed: the
 * brotli or gzip copy the build wrote, as the browser accepts, with `Vary: Accept-Encoding` and
 * a year-long cache (the names are fingerprinted), and the plain file to a client that accepts
 * neither. Every copy decodes to exactly the plain file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import {
  builtPlaygroundDir,
  PLAYGROUND_ASSETS_PATH,
} from '@microservice-math/router/http/playground';
import type { ServiceHost } from '@microservice-math/shared/serviceHost';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildIfChanged, playgroundBuild } from '../../scripts/freshBuild.js';
import { capturedLog } from './support/capturedLog.js';
import { startPlaygroundHost } from './support/playgroundHost.js';

const assetsDir = join(builtPlaygroundDir, 'assets');
let host: ServiceHost;
let origin: string;
/** The built assets the page loads (not the compressed copies). */
let assets: string[];

beforeAll(async () => {
  // CI installs without building: the bundle of the current sources, as `npm start` builds it.
  await buildIfChanged(playgroundBuild, { quiet: true, say: () => {} });
  assets = readdirSync(assetsDir).filter((name) => !/\.(br|gz)$/.test(name));
  ({ host, origin } = await startPlaygroundHost(capturedLog().logger));
}, 600_000); // a first build of the playground takes minutes on a loaded machine
afterAll(async () => {
  await host?.close();
});

/** The bytes as sent (fetch would decode them itself). */
function get(path: string, acceptEncoding: string) {
  return new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    request(origin + path, { headers: { 'accept-encoding': acceptEncoding } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

const DECODE = { br: brotliDecompressSync, gzip: gunzipSync } as const;

describe('playground delivery', () => {
  it('names only fingerprinted assets from its page', async () => {
    const page = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } });
    const named = [...(await page.text()).matchAll(/\/graphql\/playground\/assets\/([^"]+)"/g)];
    expect(named.length).toBeGreaterThan(0);
    for (const [, name] of named) expect(assets).toContain(name);
  });

  it.each([
    ['br', 'gzip, deflate, br'],
    ['gzip', 'gzip, deflate'],
  ] as const)(
    'sends the %s copy of every large asset, decoding to the plain file, cached for a year',
    async (encoding, acceptEncoding) => {
      let raw = 0;
      let sent = 0;
      for (const name of assets) {
        const plain = readFileSync(join(assetsDir, name));
        const { headers, body } = await get(
          `${PLAYGROUND_ASSETS_PATH}/assets/${name}`,
          acceptEncoding,
        );
        expect(headers['cache-control']).toBe('public, max-age=31536000, immutable');
        raw += plain.length;
        sent += body.length;
        if (plain.length < 1024) continue; // too small to be worth a copy
        expect(headers['content-encoding'], name).toBe(encoding);
        expect(headers['vary']).toMatch(/accept-encoding/i);
        expect(DECODE[encoding](body).equals(plain), name).toBe(true);
      }
      // Measured: brotli 25 %, gzip 30 % of 7.2 MB.
      expect(sent / raw).toBeLessThan(0.4);
    },
  );

  it('sends the plain file to a client that accepts neither', async () => {
    const largest = assets
      .map((name) => ({ name, size: readFileSync(join(assetsDir, name)).length }))
      .sort((a, b) => b.size - a.size)[0]!;
    const { headers, body } = await get(
      `${PLAYGROUND_ASSETS_PATH}/assets/${largest.name}`,
      'identity',
    );
    expect(headers['content-encoding']).toBeUndefined();
    expect(headers['vary']).toMatch(/accept-encoding/i);
    expect(body.length).toBe(largest.size);
  });
});
