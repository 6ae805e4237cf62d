/**
 * The web client in headless Chromium against the real stack (see support/webApp.ts). Two browser
 * contexts sign in as the same user, so a log computed in one must arrive live in the other. A
 * failing test leaves screenshots in test-results/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compute as computeIn,
  hasChromium,
  screenshotOnFailure as screenshotsOnFailure,
  signIn as signInAs,
  startWebApp,
  type Viewport,
  type WebApp,
} from './support/webApp.js';

describe.skipIf(!hasChromium)('web client in Chromium', () => {
  let app: WebApp;
  let browserProblems: string[];
  const username = `Eve_${Date.now().toString(36)}`;
  const password = 'correct horse battery';

  beforeAll(async () => {
    // These tests are about the page: a million-digit factorial must not hit the 10 s computation
    // deadline on a busy machine.
    app = await startWebApp({
      env: { MATH_TIMEOUT_MS: '60000', ROUTER_SUBGRAPH_TIMEOUT_MS: '65000' },
    });
    browserProblems = app.problems;
  });

  afterAll(async () => {
    await app?.stop();
  });

  const openApp = (name: string, viewport?: Viewport) => app.open(name, viewport);
  const screenshotOnFailure = (pages: Record<string, Page>, testName: string) =>
    screenshotsOnFailure(pages, `client-e2e-${testName}`);
  const signIn = (page: Page, mode: 'register' | 'signIn') =>
    signInAs(page, { username, password }, mode);
  const compute = computeIn;

  const newestLogRow = (page: Page) => page.locator('.recent-logs tbody tr').first();

  it('registers, computes each operation with its log, refuses a too-large input, follows a second tab live, signs out', async () => {
    const first = await openApp('first');
    const pages: Record<string, Page> = { first };
    screenshotOnFailure(pages, 'main-flow');

    // An account rule shown by its field: the username is too short.
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

    await compute(first, 'Power', { Base: '2', Exponent: '64' });
    await first.getByRole('heading', { name: '2⁶⁴' }).waitFor();
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

    // The same request again is answered from the server's cache, and says so. (Not sent
    // straight after its own answer: the form takes a second submit of the answer on screen,
    // within a second, as a key pressed twice, and sends nothing.)
    await compute(first, 'Factorial', { n: '20' });
    await first.getByRole('heading', { name: '20!' }).waitFor();
    await expect
      .poll(() => first.locator('.calculation-result .facts').textContent())
      .toContain('Cache');

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
    expect(await first.evaluate('localStorage.length')).toBe(0);

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
