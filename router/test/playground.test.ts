/**
 * The GraphiQL playground in headless Chromium: the page and everything it loads come from the
 * router (no request leaves localhost), a query runs with the token from the headers editor,
 * and a subscription receives a live event over graphql-ws.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gql } from '../../tests/support/graphql.js';
import { startTestSystem, type TestSystem } from '../../tests/support/system.js';
import { waitFor } from '../../tests/support/waitFor.js';
import { buildIfChanged, playgroundBuild } from '../../scripts/freshBuild.js';

const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

let system: TestSystem;
let browser: Browser;
let page: Page;
let token: string;
/** Every URL the page asked for: documents, scripts, workers, fonts, fetches, WebSockets. */
const requested: string[] = [];

beforeAll(async () => {
  // CI installs without building; the page needs the bundle of the current sources (built as
  // `npm start` builds it, and only when they changed since the last build).
  await buildIfChanged(playgroundBuild, { quiet: true, say: () => {} });
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
}, 600_000); // a first build of the playground takes minutes on a loaded machine
afterAll(async () => {
  await browser?.close();
  await system?.stop();
}, 60_000);

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
  return waitFor(async () => {
    const text = ((await page.textContent('.graphiql-response')) ?? '').replace(/\u00a0/g, ' ');
    expect(text).toContain(expected);
    return text;
  });
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
    // The socket opens once the subscription is sent; wait until the router counts it.
    await waitFor(async () => {
      const { values } = await system.router.metrics.activeSubscriptions.get();
      expect(values[0]?.value ?? 0).toBeGreaterThan(0);
    });
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
