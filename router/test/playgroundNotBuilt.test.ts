/** Without a built bundle the router says so (log, page, assets) instead of a blank page. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLAYGROUND_ASSETS_PATH } from '@microservice-math/router/http/playground';
import type { ServiceHost } from '@microservice-math/shared/serviceHost';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLog, type CapturedLog } from './support/capturedLog.js';
import { startPlaygroundHost } from './support/playgroundHost.js';

const emptyDir = mkdtempSync(join(tmpdir(), 'mm-no-playground-'));
let host: ServiceHost;
let origin: string;
let log: CapturedLog;

beforeAll(async () => {
  log = capturedLog();
  ({ host, origin } = await startPlaygroundHost(log.logger, emptyDir));
});
afterAll(async () => {
  await host?.close();
  rmSync(emptyDir, { recursive: true, force: true });
});

describe('a router whose playground is not built', () => {
  it('logs how to build it when it starts', () => {
    const warning = log.lines.find((line) => line['level'] === 40);
    expect(warning?.['msg']).toMatch(/not built: run `npm run build:playground -w router`/);
  });

  it('tells a browser the same on the page', async () => {
    const page = await fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(
      /not built: run <code>npm run build:playground -w router<\/code>/,
    );
  });

  it('answers asset requests with a JSON error saying so', async () => {
    const asset = await fetch(`${origin}${PLAYGROUND_ASSETS_PATH}/assets/index.js`);
    expect(asset.status).toBe(404);
    const body = (await asset.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0]?.message).toMatch(/playground is not built/);
  });
});
