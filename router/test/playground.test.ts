/**
 * The GraphiQL playground in headless Chromium: the page and everything it loads come from the
 * router (no request leaves localhost), a query runs with the token from the headers editor,
 * and a subscription receives a live event over graphql-ws.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtPlaygroundDir } from '@microservice-math/router/http/playground';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gql } from '../../tests/support/graphql.js';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';

const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const routerDir = fileURLToPath(new URL('..', import.meta.url));

let system: TestSystem;
let browser: Browser;
let page: Page;
let token: string;
/** Every URL the page asked for: documents, scripts, workers, fonts, fetches, WebSockets. */
const requested: string[] = [];

/** CI installs without building; the page needs the bundle (about 20 s to build). */
function ensurePlaygroundBuilt() {
  if (existsSync(join(builtPlaygroundDir, 'index.html'))) return;
  execFileSync('npm', ['run', 'build:playground'], { cwd: routerDir, stdio: 'ignore' });
}

beforeAll(async () => {
  ensurePlaygroundBuilt();
  system = await startTestSystem();
  const registered = await gql<{ register: { token: string } }>(
    system.urls.router,
    'mutation { register(username: "browser_user", password: "long-password") { token } }',
  );
  token = registered.data!.register.token;
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage();
  page.on('request', (request) => requested.push(request.url()));
  page.on('websocket', (socket) => requested.push(socket.url()));
  await page.goto(system.urls.router);
  await page.waitForSelector('.graphiql-query-editor .monaco-editor', { timeout: 30_000 });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

/** Replaces a Monaco editor's text as typed input (insertText skips auto-closed brackets). */
async function typeInto(editor: string, text: string) {
  await page.click(`${editor} .monaco-editor .view-lines`);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/** Runs a named operation; GraphiQL takes the editor's text a moment after typing, and its
 *  tab shows the operation's name once it has (clicking earlier would run the old text). */
async function runInGraphiQL(name: string, operation: string) {
  await typeInto('.graphiql-query-editor', operation);
  await page.waitForSelector(`.graphiql-tab-active:has-text("${name}")`);
  await page.click('.graphiql-execute-button');
}

/** The response pane's text once it contains `expected` (Monaco shows spaces as U+00A0). */
async function responseContaining(expected: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = ((await page.textContent('.graphiql-response')) ?? '').replace(/\u00a0/g, ' ');
    if (text.includes(expected)) return text;
    if (Date.now() > deadline)
      throw new Error(`the response pane never showed ${expected}: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the playground page', () => {
  it('is GraphiQL, loaded entirely from the router', () => {
    expect(requested.length).toBeGreaterThan(3);
    const hosts = new Set(requested.map((url) => new URL(url).hostname));
    expect([...hosts].filter((host) => host !== 'localhost' && host !== '127.0.0.1')).toEqual([]);
    expect(requested.some((url) => url.includes('/graphql/playground/assets/'))).toBe(true);
  });

  it('runs a query with the Bearer token from the headers editor', async () => {
    await typeInto(
      'section.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden)',
      JSON.stringify({ authorization: `Bearer ${token}` }),
    );
    await runInGraphiQL('Me', 'query Me { me { username } }');
    expect(await responseContaining('"username": "browser_user"')).not.toMatch(/errors/);
  });

  it('receives a subscription over graphql-ws', async () => {
    await runInGraphiQL('Live', 'subscription Live { logAdded { input user { username } } }');
    // The socket opens once the subscription is sent; give it a moment to be in place.
    await page.waitForTimeout(500);
    await gql(system.urls.router, '{ factorial(n: 11) { digits } }', {}, bearer(token));
    const text = await responseContaining('"logAdded"');
    expect(text).toContain('{\\"n\\":11}');
    expect(requested.some((url) => url.startsWith(system.urls.router.replace(/^http/, 'ws')))).toBe(
      true,
    );
  });

  it('still asked nothing of any other host', () => {
    const foreign = requested.filter(
      (url) => !/^(https?|wss?):\/\/(localhost|127\.0\.0\.1)[:/]/.test(url),
    );
    expect(foreign).toEqual([]);
  });
});
