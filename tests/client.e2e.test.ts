/**
 * The web client in headless Chromium against the real stack, started here: auth, math and the
 * router on free ports with a scratch SQLite database, and the client server in front of them
 * serving a build of the current sources. Two browser contexts sign in as the same user, so a log computed in one
 * must arrive live in the other. A failing test leaves screenshots in test-results/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createClientServer, type ClientServer } from '@microservice-math/client';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { buildIfChanged, clientBuild, repoRoot } from '../scripts/freshBuild.js';
import { startTestSystem, type TestSystem } from './support/system.js';

const chromiumPath = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
const screenshotDir = join(repoRoot, 'test-results');

describe.skipIf(!existsSync(chromiumPath))('web client in Chromium', () => {
  let system: TestSystem;
  let clientServer: ClientServer;
  let distDir: string;
  let appUrl: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** Console errors and uncaught exceptions from every page, by page name. */
  const browserProblems: string[] = [];
  const username = `Eve_${Date.now().toString(36)}`;
  const password = 'correct horse battery';

  beforeAll(async () => {
    // A production build of the client as it is now: built as `npm start` builds it, and only
    // when its sources changed since the last build (never a stale dist/).
    await buildIfChanged(clientBuild, { quiet: true, say: () => {} });
    distDir = join(repoRoot, clientBuild.outDir);
    system = await startTestSystem();
    clientServer = createClientServer({
      routerUrl: new URL(system.urls.router).origin,
      distDir,
      logger: { warn: () => {} },
    });
    appUrl = `http://127.0.0.1:${await clientServer.listen(0, '127.0.0.1')}`;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }, 600_000); // a first build of the client takes minutes on a loaded machine

  afterAll(async () => {
    await browser?.close();
    await clientServer?.close();
    await system?.stop();
  });

  async function openApp(name: string, viewport = { width: 1200, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') browserProblems.push(`${name}: ${message.text()}`);
    });
    page.on('pageerror', (error) => browserProblems.push(`${name}: ${error.message}`));
    await page.goto(appUrl);
    return page;
  }

  function screenshotOnFailure(pages: Record<string, Page>, testName: string): void {
    onTestFailed(async () => {
      mkdirSync(screenshotDir, { recursive: true });
      for (const [name, page] of Object.entries(pages)) {
        await page
          .screenshot({
            path: join(screenshotDir, `client-e2e-${testName}-${name}.png`),
            fullPage: true,
          })
          .catch(() => {});
      }
    });
  }

  async function signIn(page: Page, mode: 'register' | 'signIn'): Promise<void> {
    if (mode === 'register') await page.getByLabel('I am new here').check();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page
      .getByRole('button', { name: mode === 'register' ? 'Create account' : 'Sign in' })
      .click();
    await page.getByRole('heading', { name: 'Calculate' }).waitFor();
  }

  async function compute(
    page: Page,
    operation: string,
    args: Record<string, string>,
  ): Promise<void> {
    await page.getByLabel(operation, { exact: true }).check();
    for (const [label, value] of Object.entries(args)) {
      await page.getByLabel(label, { exact: true }).fill(value);
    }
    await page.getByRole('button', { name: 'Compute' }).click();
  }

  const newestLogRow = (page: Page) => page.locator('.recent-logs tbody tr').first();

  it('registers, computes each operation with its log, refuses a too-large input, follows a second tab live, signs out', async () => {
    const first = await openApp('first');
    const pages: Record<string, Page> = { first };
    screenshotOnFailure(pages, 'main-flow');

    // A server rule shown by its field: the username is too short.
    await first.getByLabel('I am new here').check();
    await first.getByLabel('Username').fill('ab');
    await first.getByLabel('Password').fill(password);
    await first.getByRole('button', { name: 'Create account' }).click();
    await expect
      .poll(() => first.locator('.field-error').allTextContents())
      .toEqual([expect.stringMatching(/3 to 32 characters/)]);

    await signIn(first, 'register');
    await expect.poll(() => first.locator('.app-header').textContent()).toContain(username);
    await first.locator('.live-indicator.live').waitFor();

    await compute(first, 'Factorial', { n: '20' });
    await first.getByRole('heading', { name: '20!' }).waitFor();
    expect(await first.locator('.calculation-result').textContent()).toContain(
      '2432902008176640000',
    );
    await expect.poll(() => newestLogRow(first).textContent()).toContain('n = 20');

    // The same request again is answered from the server's cache, and says so.
    await compute(first, 'Factorial', { n: '20' });
    await expect
      .poll(() => first.locator('.calculation-result .facts').textContent())
      .toContain('Cache');

    await compute(first, 'Power', { Base: '2', Exponent: '64' });
    await first.getByRole('heading', { name: '2^64' }).waitFor();
    expect(await first.locator('.calculation-result').textContent()).toContain(
      '18446744073709551616',
    );
    await expect.poll(() => newestLogRow(first).textContent()).toContain('base = 2, exponent = 64');

    await compute(first, 'Fibonacci', { n: '90' });
    await first.getByRole('heading', { name: 'F(90)' }).waitFor();
    expect(await first.locator('.calculation-result').textContent()).toContain(
      '2880067194370816120',
    );
    await expect.poll(() => newestLogRow(first).textContent()).toContain('n = 90');

    // A million-digit result stays folded: the page holds a few dozen of its digits.
    await compute(first, 'Factorial', { n: '205022' });
    await first.getByRole('heading', { name: '205022!' }).waitFor({ timeout: 30_000 });
    expect(await first.locator('.calculation-result .facts').textContent()).toContain('1,000,000');
    expect((await first.content()).length).toBeLessThan(100_000);

    // The server refuses a result over the digit limit; its message is shown.
    await compute(first, 'Factorial', { n: '10000000' });
    await expect.poll(() => first.getByRole('alert').textContent()).toMatch(/digits/);

    // Same user in a second browser: its calculation appears in the first one's live feed.
    const second = await openApp('second', { width: 390, height: 844 });
    pages['second'] = second;
    await signIn(second, 'signIn');
    await compute(second, 'Fibonacci', { n: '77' });
    // The issue asks for "within a second"; two seconds leaves room for a loaded CI machine.
    await newestLogRow(first).filter({ hasText: 'n = 77' }).waitFor({ timeout: 2_000 });

    await first.getByRole('button', { name: 'Sign out' }).click();
    await first.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await first.evaluate('sessionStorage.length')).toBe(0);

    expect(browserProblems).toEqual([]);
  });

  it('shows wrong credentials as a message and stays on the sign-in page', async () => {
    const page = await openApp('wrong-password');
    screenshotOnFailure({ page }, 'wrong-password');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('Invalid username or password');
    expect(await page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(browserProblems).toEqual([]);
  });
});
