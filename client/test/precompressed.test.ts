// @vitest-environment node
/**
 * The client server's delivery of a build: the brotli or gzip copy the browser accepts, with the
 * original's type and a year-long cache for hashed assets, and the plain file otherwise.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompressDirectory } from '@microservice-math/shared/precompressed';
import { createClientServer, type ClientServer } from '../server.js';

const SCRIPT = `export const digits = ${JSON.stringify('1234567890'.repeat(500))};\n`;
let distDir: string;
let server: ClientServer;
let url: string;

beforeAll(async () => {
  distDir = await mkdtemp(join(tmpdir(), 'client-dist-'));
  await mkdir(join(distDir, 'assets'));
  await writeFile(
    join(distDir, 'index.html'),
    `<!doctype html><title>app</title>${' '.repeat(2000)}`,
  );
  await writeFile(join(distDir, 'assets', 'index-abc123.js'), SCRIPT);
  precompressDirectory(distDir);
  server = createClientServer({
    routerUrl: 'http://127.0.0.1:9',
    distDir,
    logger: { warn: () => {} },
  });
  url = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
});

afterAll(async () => {
  await server.close();
  await rm(distDir, { recursive: true, force: true });
});

/** The raw response (fetch would decode the body itself; the bytes show what was sent). */
interface Raw {
  status?: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
function get(path: string, acceptEncoding: string) {
  return new Promise<Raw>((resolve, reject) => {
    request(url + path, { headers: { 'accept-encoding': acceptEncoding } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
    })
      .on('error', reject)
      .end();
  });
}

describe('precompressed delivery', () => {
  it('sends the brotli copy of a hashed asset to a browser that accepts it, cached for a year', async () => {
    const { headers, body } = await get('/assets/index-abc123.js', 'gzip, deflate, br');
    expect(headers['content-encoding']).toBe('br');
    expect(headers['content-type']).toMatch(/^text\/javascript/);
    expect(headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(headers['vary']).toMatch(/Accept-Encoding/i);
    expect(brotliDecompressSync(body).toString()).toBe(SCRIPT);
  });

  it('sends the gzip copy when brotli is not accepted, and the plain file when neither is', async () => {
    const gzip = await get('/assets/index-abc123.js', 'gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).toString()).toBe(SCRIPT);

    const plain = await get('/assets/index-abc123.js', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
  });

  it('does not serve a compressed copy by its own name', async () => {
    for (const path of [
      '/assets/index-abc123.js.br',
      '/assets/index-abc123.js.gz',
      '/index.html.br',
      // Named as express.static would still find it: percent-encoded, or with empty segments.
      '/assets/index-abc123.js%2Ebr',
      '/index.html%2egz',
      '/assets//index-abc123.js.br',
      '/assets/./index-abc123.js.br',
    ])
      expect((await get(path, 'identity')).status, path).toBe(404);
  });

  it('compresses the page itself but keeps it revalidated', async () => {
    const { headers, body } = await get('/', 'br');
    expect(headers['content-encoding']).toBe('br');
    expect(headers['cache-control']).toBe('no-cache');
    expect(brotliDecompressSync(body).toString()).toContain('<title>app</title>');
  });
});
