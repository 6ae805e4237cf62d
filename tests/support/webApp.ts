/**
 * The web client in headless Chromium against the real stack, for one test file: auth, math and
 * the router on free ports with a scratch SQLite database, the client server in front of them
 * serving a fresh production build, and helpers every browser test needs (a page per context,
 * sign-in, axe-core, screenshots on failure).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClientServer, type ClientServer } from '@microservice-math/client';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { onTestFailed } from 'vitest';
import { startTestSystem, type TestSystem, type TestSystemOptions } from './system.js';

export const chromiumPath = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);
const rootDir = fileURLToPath(new URL('../..', import.meta.url));
const clientDir = join(rootDir, 'client');
const screenshotDir = join(rootDir, 'test-results');
const require = createRequire(import.meta.url);

export const DESKTOP = { width: 1200, height: 900 } as const;
export const PHONE = { width: 390, height: 844 } as const;
export type Viewport = { width: number; height: number };

/** A production build of the client as it is now, into a scratch folder (never a stale dist/). */
export function buildClient(outDir: string): void {
  const viteDir = dirname(
    createRequire(join(clientDir, 'package.json')).resolve('vite/package.json'),
  );
  execFileSync(
    process.execPath,
    [
      join(viteDir, 'bin', 'vite.js'),
      'build',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    // Vitest sets NODE_ENV=test, which Vite would bake into the bundle (Vue's development build).
    {
      cwd: clientDir,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
}

export interface WebApp {
  system: TestSystem;
  clientServer: ClientServer;
  distDir: string;
  url: string;
  browser: Browser;
  /** Console errors and uncaught exceptions from every page, by page name. */
  problems: string[];
  /** A page in a new browser context (its own storage, like another browser). */
  open(name: string, viewport?: Viewport, path?: string): Promise<Page>;
  /** Takes the client server down (its sockets with it); the returned function brings it back on the same port. */
  interrupt(): Promise<() => Promise<void>>;
  /** A page in an existing context (another tab of the same browser). */
  openTab(context: BrowserContext, name: string, path?: string): Promise<Page>;
  stop(): Promise<void>;
}

export async function startWebApp(options: TestSystemOptions = {}): Promise<WebApp> {
  const distDir = mkdtempSync(join(tmpdir(), 'client-e2e-dist-'));
  buildClient(distDir);
  const system = await startTestSystem(options);
  const serveClient = () =>
    createClientServer({
      routerUrl: new URL(system.urls.router).origin,
      distDir,
      logger: { warn: () => {} },
    });
  let clientServer = serveClient();
  const port = await clientServer.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const problems: string[] = [];

  async function openTab(context: BrowserContext, name: string, path = '/'): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${name}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
    await page.goto(new URL(path, url).href);
    return page;
  }

  return {
    system,
    get clientServer() {
      return clientServer;
    },
    distDir,
    url,
    browser,
    problems,
    openTab,
    async interrupt() {
      await clientServer.close();
      return async () => {
        clientServer = serveClient();
        await clientServer.listen(port, '127.0.0.1');
      };
    },
    async open(name, viewport = DESKTOP, path = '/') {
      const context = await browser.newContext({ viewport });
      return openTab(context, name, path);
    },
    async stop() {
      await browser.close();
      await clientServer.close();
      await system.stop();
      rmSync(distDir, { recursive: true, force: true });
    },
  };
}

export function screenshotOnFailure(pages: Record<string, Page>, testName: string): void {
  onTestFailed(async () => {
    mkdirSync(screenshotDir, { recursive: true });
    for (const [name, page] of Object.entries(pages)) {
      await page
        .screenshot({ path: join(screenshotDir, `${testName}-${name}.png`), fullPage: true })
        .catch(() => {});
    }
  });
}

export async function signIn(
  page: Page,
  account: { username: string; password: string },
  mode: 'register' | 'signIn',
): Promise<void> {
  if (mode === 'register') await page.getByLabel('I am new here').check();
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Password').fill(account.password);
  await page
    .getByRole('button', { name: mode === 'register' ? 'Create account' : 'Sign in' })
    .click();
  await page.getByRole('heading', { name: 'Calculate' }).waitFor();
}

/** Fills the calculation form (not the expression box) and presses its Compute button. */
export async function compute(
  page: Page,
  operation: string,
  args: Record<string, string>,
): Promise<void> {
  const form = page.locator('form.calculation-form');
  await form.getByLabel(operation, { exact: true }).check();
  for (const [label, value] of Object.entries(args)) {
    await form.getByLabel(label, { exact: true }).fill(value);
  }
  await form.getByRole('button', { name: 'Compute' }).click();
}

/** Types into the expression box and presses Enter. */
export async function computeExpression(page: Page, expression: string): Promise<void> {
  const box = page.getByLabel('Expression', { exact: true });
  await box.fill(expression);
  await box.press('Enter');
}

interface AxeViolation {
  id: string;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/** axe-core's WCAG 2.x A and AA violations on the page as it is now, as readable lines. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    // Evaluated over the DevTools protocol rather than added as a <script>: the app's
    // Content-Security-Policy (script-src 'self') rightly refuses an inline script tag.
    await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  }
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return result.violations.map((violation) => ({
      id: violation.id,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({ target: node.target })),
    }));
  });
  return violations.map(
    (violation) =>
      `${violation.id}: ${violation.help} (${violation.nodes.map((node) => JSON.stringify(node.target)).join(', ')})`,
  );
}
