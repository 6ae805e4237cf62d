/**
 * The web app as issue 16 asks for it, in Chromium against the real stack, at desktop and phone
 * sizes: readable results, honest states, the expression box, the calculation in the URL. axe-core
 * must report no WCAG A/AA violation in any state visited.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gql } from './support/graphql.js';
import { metricValue, scrapeMetrics } from './support/metrics.js';
import {
  DESKTOP,
  PHONE,
  accessibilityViolations,
  compute,
  computeExpression,
  hasChromium,
  screenshotOnFailure,
  signIn,
  startWebApp,
  type WebApp,
} from './support/webApp.js';

const password = 'correct horse battery';

describe.skipIf(!hasChromium)('web app in Chromium', () => {
  let app: WebApp;

  beforeAll(async () => {
    // These tests are about the page: a million-digit factorial must not hit the 10 s computation
    // deadline on a busy machine.
    app = await startWebApp({
      env: { MATH_TIMEOUT_MS: '60000', ROUTER_SUBGRAPH_TIMEOUT_MS: '65000' },
    });
  });

  afterAll(async () => {
    await app?.stop();
  });

  const result = (page: Page) => page.locator('.calculation-result');
  const statusLine = (page: Page) => page.locator('.status-line');
  /** Answers the page's Factorial requests with this error, in place of the router; the requests. */
  const refuseFactorials = async (page: Page, message: string, extensions: object) => {
    const asked: unknown[] = [];
    await page.route('**/graphql', async (route) => {
      const body = route.request().postDataJSON() as { operationName?: string } | null;
      if (body?.operationName !== 'Factorial') return route.continue();
      asked.push(body);
      await route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          data: { factorial: null },
          errors: [{ message, path: ['factorial'], extensions }],
        }),
      });
    });
    return asked;
  };

  async function expectAccessible(page: Page, state: string): Promise<void> {
    expect(await accessibilityViolations(page), state).toEqual([]);
  }

  /**
   * What is wrong with the log rows as laid out: cells over one another, text cut inside its cell
   * (bar a result preview, shortened with an ellipsis on purpose), or a row's mark (an inset
   * box-shadow at its left edge) over text. Each problem as "calculation: what".
   */
  const logLayoutProblems = (page: Page) =>
    page.locator('.recent-logs tbody').evaluate((tbody) => {
      const problems: string[] = [];
      for (const row of tbody.querySelectorAll('tr:not(.details)')) {
        const title = row.querySelector('.calculation')?.textContent?.trim() ?? '?';
        const cells = [...row.querySelectorAll('td')].filter(
          (cell) => cell.getClientRects().length > 0,
        );
        const boxes = cells.map((cell) => cell.getBoundingClientRect());
        boxes.forEach((box, i) => {
          const cell = cells[i];
          if (!cell) return;
          boxes.slice(i + 1).forEach((other, j) => {
            const overlapX = Math.min(box.right, other.right) - Math.max(box.left, other.left);
            const overlapY = Math.min(box.bottom, other.bottom) - Math.max(box.top, other.top);
            if (overlapX > 0.5 && overlapY > 0.5) {
              problems.push(
                `${title}: ${cell.dataset['label']} over ${cells[i + 1 + j]?.dataset['label']}`,
              );
            }
          });
          if (!cell.querySelector('code') && cell.scrollWidth > cell.clientWidth) {
            problems.push(`${title}: ${cell.dataset['label']} cut`);
          }
        });
        for (const marked of [row, ...cells]) {
          const shadow = getComputedStyle(marked).boxShadow;
          const width = /inset/.test(shadow) ? Number(/(-?[\d.]+)px/.exec(shadow)?.[1] ?? 0) : 0;
          if (width <= 0) continue;
          const mark = marked.getBoundingClientRect();
          cells.forEach((cell) => {
            const text = document.createRange();
            text.selectNodeContents(cell);
            for (const line of text.getClientRects()) {
              const besideMark = line.top < mark.bottom && line.bottom > mark.top;
              if (line.width > 0 && besideMark && line.left < mark.left + width) {
                problems.push(`${title}: mark over ${cell.dataset['label']}`);
                break;
              }
            }
          });
        }
      }
      return problems;
    });

  describe.each([
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const)('at %s size', (size, viewport) => {
    const username = `Ada_${size}_${Date.now().toString(36)}`;

    it('restores a calculation from the URL, reads expressions, and walks Back and Forward', async () => {
      const page = await app.open(size, viewport, '/?op=power&base=-2&exponent=2');
      screenshotOnFailure({ page }, `webapp-url-${size}`);
      await expectAccessible(page, 'sign-in page');
      await signIn(page, { username, password }, 'register');

      // The address's calculation is computed once signed in, titled in mathematical notation.
      await page.getByRole('heading', { name: '(−2)²' }).waitFor();
      expect(await result(page).locator('.digits').textContent()).toBe('4');
      expect(await result(page).textContent()).toContain('Exact integer');
      await expectAccessible(page, 'small result');

      // The expression box fills the form, computes, and records the calculation in the URL.
      await computeExpression(page, '100!');
      await page.getByRole('heading', { name: '100!' }).waitFor();
      expect(new URL(page.url()).search).toBe('?op=factorial&n=100');
      expect(
        await page.locator('form.calculation-form').getByLabel('n', { exact: true }).inputValue(),
      ).toBe('100');
      expect(await result(page).locator('.magnitude').textContent()).toContain('≈ 9.33 × 10157');
      expect(await result(page).locator('.anatomy').textContent()).toBe(
        'Whole number of 158 digits',
      );
      await expectAccessible(page, 'folded result');

      await computeExpression(page, 'F(-8)');
      await page.getByRole('heading', { name: 'F(−8)' }).waitFor();
      expect(await result(page).locator('.digits').textContent()).toBe('-21');
      expect(await page.getByLabel('Expression', { exact: true }).inputValue()).toBe('F(-8)');

      // The form is written back into the box.
      await compute(page, 'Power', { Base: '2', Exponent: '-3' });
      await page.getByRole('heading', { name: '2⁻³' }).waitFor();
      expect(await page.getByLabel('Expression', { exact: true }).inputValue()).toBe('2^(-3)');
      expect(await result(page).textContent()).toMatch(/Exact decimal|Rounded/);

      // Back and Forward show the answers already given, as they were: nothing is sent (no new
      // log row, nothing counted against the rate limit). A reload computes.
      const calculationsSent: string[] = [];
      page.on('request', (sent) => {
        const name = /"operationName":"(Power|Factorial|Fibonacci)"/.exec(sent.postData() ?? '');
        if (name?.[1]) calculationsSent.push(name[1]);
      });
      await page.goBack();
      await page.getByRole('heading', { name: 'F(−8)' }).waitFor();
      expect(new URL(page.url()).search).toBe('?op=fibonacci&n=-8');
      expect(await result(page).locator('.digits').textContent()).toBe('-21');
      expect(await page.getByLabel('Expression', { exact: true }).inputValue()).toBe('F(-8)');
      await page.goBack();
      await page.getByRole('heading', { name: '100!' }).waitFor();
      await page.goForward();
      await page.getByRole('heading', { name: 'F(−8)' }).waitFor();
      expect(calculationsSent).toEqual([]);
      await page.reload();
      await page.getByRole('heading', { name: 'F(−8)' }).waitFor();
      expect(calculationsSent).toEqual(['Fibonacci']);
      expect(app.problems).toEqual([]);
    });

    it('expands a million-digit result without a long task, and groups its digits', async () => {
      const page = await app.open(`${size}-million`, viewport);
      screenshotOnFailure({ page }, `webapp-million-${size}`);
      await signIn(page, { username, password }, 'signIn');
      await computeExpression(page, '205022!');
      await page.getByRole('heading', { name: '205022!' }).waitFor({ timeout: 30_000 });
      expect(await result(page).locator('.magnitude').textContent()).toMatch(/≈ \d\.\d+ × 10\d+/);

      await page.evaluate(() => {
        const durations: number[] = [];
        (window as unknown as { longTasks: number[] }).longTasks = durations;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) durations.push(entry.duration);
        }).observe({ type: 'longtask' });
      });
      await result(page).getByRole('button', { name: 'Expand' }).click();
      const digits = result(page).getByRole('region', { name: /^All 1,000,000 digits/ });
      await digits.waitFor();
      await digits.evaluate((element) => element.scrollTo(0, element.scrollHeight / 2));
      await result(page).getByLabel('Group digits').check();
      await expect.poll(() => digits.locator('pre').textContent()).toContain('\u202f');
      const longTasks = await page.evaluate(
        () => (window as unknown as { longTasks: number[] }).longTasks,
      );
      expect(Math.max(0, ...longTasks)).toBeLessThan(200);
      expect((await page.content()).length).toBeLessThan(100_000);
      await expectAccessible(page, 'expanded million digits');
      expect(app.problems).toEqual([]);
    });

    it('dims the old answer while computing, cancels on Esc, and says what happened in one line', async () => {
      const page = await app.open(`${size}-states`, viewport);
      screenshotOnFailure({ page }, `webapp-states-${size}`);
      await signIn(page, { username, password }, 'signIn');
      await computeExpression(page, '20!');
      await page.getByRole('heading', { name: '20!' }).waitFor();

      // The next request is held on its way (then let through) so the state in between can be
      // looked at: the previous answer stays, dimmed, until Esc cancels the request.
      let release: () => void = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      await page.route('**/graphql', async (route) => {
        await released;
        await route.continue().catch(() => {});
      });
      await computeExpression(page, '30!');
      await page.locator('.answer.stale').waitFor();
      expect(await page.getByRole('heading', { name: '20!' }).isVisible()).toBe(true);
      await expectAccessible(page, 'computing with the previous answer dimmed');
      await page.keyboard.press('Escape');
      await expect.poll(() => statusLine(page).textContent()).toMatch(/^\s*Cancelled: 30!/);
      expect(await result(page).count()).toBe(0);
      release();
      await page.unrouteAll({ behavior: 'wait' });
      await expectAccessible(page, 'cancelled');

      // A refusal replaces the cancellation notice: one line, never two.
      await computeExpression(page, '10000000!');
      await expect.poll(() => statusLine(page).textContent()).toMatch(/^\s*Refused:.*digits/);
      expect(await statusLine(page).locator('p').count()).toBe(1);
      await expectAccessible(page, 'refused');

      // An answer clears the line.
      await computeExpression(page, '5!');
      await page.getByRole('heading', { name: '5!' }).waitFor();
      expect((await statusLine(page).textContent())?.trim()).toBe('');

      // A refusal that says when to come back (answered here in place of the router) counts its
      // wait down outside the alert; Enter sends nothing meanwhile, and works once it is over.
      const refusedFactorials = await refuseFactorials(
        page,
        'Too many requests; try again in 2 s',
        { code: 'RATE_LIMITED', retryAfterSeconds: 2 },
      );
      await computeExpression(page, '6!');
      const wait = page.locator('.retry-wait');
      await wait.filter({ hasText: 'Try again in 2 s.' }).waitFor();
      expect((await statusLine(page).textContent())?.trim()).toBe('Refused: Too many requests.');
      await expectAccessible(page, 'waiting after a refusal');
      await page.getByLabel('Expression', { exact: true }).press('Enter');
      await wait.filter({ hasText: 'Try again in 1 s.' }).waitFor();
      expect(refusedFactorials).toHaveLength(1);
      await page.unrouteAll({ behavior: 'wait' });
      await wait.waitFor({ state: 'detached' });
      // The refusal goes with its wait: left, it would read as still refused.
      expect((await statusLine(page).textContent())?.trim()).toBe('');
      await page.getByLabel('Expression', { exact: true }).press('Enter');
      await page.getByRole('heading', { name: '6!' }).waitFor();
      expect((await statusLine(page).textContent())?.trim()).toBe('');

      // A service away (answered here as the router does when no math instance is left) is no
      // refusal: it waits, counting down, and sends the calculation again by itself.
      const unavailableFactorials = await refuseFactorials(
        page,
        'The math subgraph is unreachable: no instance of it is available',
        { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1, serviceName: 'math' },
      );
      await computeExpression(page, '7!');
      await wait.filter({ hasText: /Sending it again in [12] s\./ }).waitFor();
      expect((await statusLine(page).textContent())?.trim()).toBe(
        'Waiting: The math service is not available right now.',
      );
      await expect.poll(() => unavailableFactorials.length).toBe(2);
      await page.unrouteAll({ behavior: 'wait' });
      // No key pressed: the resend after the next wait gets the answer.
      await page.getByRole('heading', { name: '7!' }).waitFor();
      expect((await statusLine(page).textContent())?.trim()).toBe('');
      expect(app.problems).toEqual([]);
    });
  });

  it('lists logs with times, opens one, runs it again, loads more, and stays compact on a phone', async () => {
    const account = { username: `Kay_logs_${Date.now().toString(36)}`, password };
    const register = await gql<{ register: { token: string } }>(
      app.system.urls.router,
      'mutation($u: String!, $p: String!) { register(username: $u, password: $p) { token } }',
      { u: account.username, p: account.password },
    );
    const headers = bearer(register.data?.register.token ?? '');
    for (let n = 1; n <= 25; n++) {
      await gql(app.system.urls.router, `{ fibonacci(n: ${n}) { digits } }`, {}, headers);
    }

    const page = await app.open('logs-phone', PHONE);
    screenshotOnFailure({ page }, 'webapp-logs');
    await signIn(page, account, 'signIn');
    const rows = page.locator('.recent-logs tbody tr:not(.details)');
    await expect.poll(() => rows.count()).toBe(20);
    expect(await rows.first().locator('time').textContent()).toMatch(/just now|ago/);
    // Two short lines per log on a phone: 20 logs in well under 2,000 px.
    const height = await page.locator('.recent-logs tbody').evaluate((tbody) => tbody.scrollHeight);
    expect(height).toBeLessThan(2_000);
    await expectAccessible(page, 'logs on a phone');

    // The next page is asked for by cursor: before the oldest log shown.
    const pagesAskedFor: unknown[] = [];
    page.on('request', (sent) => {
      const body = sent.postDataJSON() as { operationName?: string; variables?: unknown } | null;
      if (body?.operationName === 'RecentLogs') pagesAskedFor.push(body.variables);
    });
    const oldestShown = await rows.last().textContent();
    expect(oldestShown).toContain('n = 6');
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows.count()).toBe(25);
    expect(pagesAskedFor).toEqual([{ limit: 20, before: expect.any(String) }]);
    expect(await rows.nth(20).textContent()).toContain('n = 5');
    expect(await rows.last().textContent()).toContain('n = 1');
    await page.getByText('That is all of them.').waitFor();

    // The newest log opens in place; "Run again" computes it in the calculator.
    await rows.first().getByRole('button', { name: 'Fibonacci F(25)' }).click();
    const details = page.locator('.recent-logs tr.details');
    expect(await details.textContent()).toContain('{"n":25}');
    await expectAccessible(page, 'a log opened');
    await details.getByRole('button', { name: 'Run again' }).click();
    await page.getByRole('heading', { name: 'F(25)' }).waitFor();
    expect(await result(page).locator('.digits').textContent()).toBe('75025');
    expect(new URL(page.url()).search).toBe('?op=fibonacci&n=25');
    // Keyboard focus followed it, from the log's button to the box holding the calculation.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe(
      'expression',
    );

    // This tab's calculation is titled as it was typed; its log only as math keeps it, by the
    // canonical input (1/2 is stored as 0.5), which is all the list has.
    await computeExpression(page, '(1/2)^2');
    await page.getByRole('heading', { name: '(1/2)²' }).waitFor();
    await rows.first().getByRole('button', { name: 'Power 0.5²' }).waitFor();
    expect(await rows.first().textContent()).toContain('base = 0.5, exponent = 2');

    // Refused and cancelled requests are listed as such, live: one refused in this page, one
    // cancelled by another client of the same user while math computed it.
    await computeExpression(page, '10000000!');
    const refused = rows.filter({ hasText: 'Refused' });
    await refused.first().waitFor();
    expect(await refused.first().textContent()).toMatch(/Refused — [a-z ]+/);
    const computing = new AbortController();
    const cancelledCall = fetch(app.system.urls.router, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ factorial(n: 205021) { digits } }' }),
      signal: computing.signal,
    }).catch(() => undefined);
    await expect
      .poll(
        async () =>
          metricValue(await scrapeMetrics(app.system.urls.math), 'math_pool_pending_tasks'),
        {
          timeout: 20_000,
          interval: 10,
        },
      )
      .toBe(1);
    computing.abort();
    await cancelledCall;
    await rows.filter({ hasText: 'Cancelled' }).first().waitFor();
    await expectAccessible(page, 'refused and cancelled logs');

    // On the narrowest phones too (375 px, and the 320 px of WCAG's reflow), a refused row reads
    // whole: its mark beside the calculation, not over it, and its status wrapped, not cut.
    await computeExpression(page, '2^1e100000');
    await rows.filter({ hasText: '2^(1e100000)' }).filter({ hasText: 'Refused' }).waitFor();
    for (const width of [375, 320]) {
      await page.setViewportSize({ width, height: PHONE.height });
      expect(await logLayoutProblems(page), `${width} px`).toEqual([]);
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
      ).toBe(0);
    }
    expect(app.problems).toEqual([]);
  });

  it('says an operation in the address is not known, as text, and shows the default form', async () => {
    const page = await app.open(
      'unknown-op',
      PHONE,
      `/?op=${encodeURIComponent('<img src=x onerror=alert(1)>')}&n=1`,
    );
    screenshotOnFailure({ page }, 'webapp-unknown-op');
    await signIn(page, { username: `Eve_op_${Date.now().toString(36)}`, password }, 'register');
    const notice = page.getByRole('status').filter({ hasText: 'does not know' });
    expect(await notice.textContent()).toBe(
      'This link asks for an operation the calculator does not know, “<img src=x onerror=alert(1)>”: here is the Factorial form instead.',
    );
    expect(await page.locator('.calculator img').count()).toBe(0);
    expect(await page.getByLabel('Factorial', { exact: true }).isChecked()).toBe(true);
    await expectAccessible(page, 'unknown operation in the address');
    await computeExpression(page, '4!');
    await page.getByRole('heading', { name: '4!' }).waitFor();
    expect(await notice.count()).toBe(0);
    expect(app.problems).toEqual([]);
  });

  it('keeps keyboard focus through Load more, the expression box in step on Back, and never scrolls sideways', async () => {
    const account = { username: `Wes_keys_${Date.now().toString(36)}`, password };
    const register = await gql<{ register: { token: string } }>(
      app.system.urls.router,
      'mutation($u: String!, $p: String!) { register(username: $u, password: $p) { token } }',
      { u: account.username, p: account.password },
    );
    const headers = bearer(register.data?.register.token ?? '');
    // The oldest log has a long unbroken title; 24 more fill the first page and 4 of the next.
    await gql(
      app.system.urls.router,
      '{ power(base: "2", exponent: "9999999999999999999999") { digits } }',
      {},
      headers,
    );
    for (let n = 1; n <= 24; n++) {
      await gql(app.system.urls.router, `{ fibonacci(n: ${n}) { digits } }`, {}, headers);
    }

    const page = await app.open('keys', { width: 1280, height: 900 });
    screenshotOnFailure({ page }, 'webapp-keys');
    await signIn(page, account, 'signIn');
    const rows = page.locator('.recent-logs tbody tr:not(.details)');
    await expect.poll(() => rows.count()).toBe(20);
    const pageWidth = () =>
      page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement;
        return element === null || element === document.body
          ? 'body'
          : `${element.tagName} ${element.textContent?.trim()}`;
      });

    // Load more by keyboard: the button keeps focus while the page is on its way, held here.
    // The request reaches this route some time after the key press that sent it returns (it
    // leaves the page, then the browser's network side reports it): on a busy machine, after
    // the button already says it is busy. Hence the test waits for the route to hold the page
    // before it looks, and keeps the route until the page has arrived: a route removed first
    // lets a page still on its way through unseen (then counted 0 pages asked for, although its
    // rows arrived).
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const pagesAskedFor: unknown[] = [];
    await page.route('**/graphql', async (route) => {
      const body = route.request().postDataJSON() as {
        operationName?: string;
        variables?: unknown;
      } | null;
      if (body?.operationName === 'RecentLogs') {
        pagesAskedFor.push(body.variables);
        await released;
      }
      await route.continue().catch(() => {});
    });
    const tableWidth = () =>
      page
        .locator('.recent-logs table')
        .evaluate((element) => element.getBoundingClientRect().width);
    const firstPageWidth = await tableWidth();
    const loadMore = page.getByRole('button', { name: 'Load more' });
    await loadMore.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => pagesAskedFor.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await loadMore.getAttribute('aria-busy')).toBe('true');
    expect(await focused()).toBe('BUTTON Load more');
    await page.keyboard.press('Enter'); // ignored while loading
    release();
    await expect.poll(() => rows.count()).toBe(25);
    await page.getByText('That is all of them.').waitFor();
    await page.unrouteAll({ behavior: 'wait' });
    // One page, by cursor. (The second Enter is ignored while loading; were it not, Apollo would
    // share the identical request still in flight, so this count alone could not tell.)
    expect(pagesAskedFor).toEqual([{ limit: 20, before: expect.any(String) }]);
    // The last page replaced the button: focus goes to the first log it brought, not the body.
    expect(await focused()).toMatch(/^BUTTON Fibonacci ?F\(4\)$/);
    await page.getByRole('button', { name: /2\^\(9999999999999999999999\)/ }).waitFor();
    expect(await tableWidth()).toBe(firstPageWidth);
    expect(await pageWidth()).toBe(0);
    const table = page.locator('.recent-logs .table-scroll');
    expect(await table.evaluate((element) => element.scrollWidth - element.clientWidth)).toBe(0);

    // Back with the box still focused: the box shows the calculation Back restored.
    await computeExpression(page, '6!');
    await page.getByRole('heading', { name: '6!' }).waitFor();
    await computeExpression(page, '2^9');
    await page.getByRole('heading', { name: '2⁹' }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: '6!' }).waitFor();
    const box = page.getByLabel('Expression', { exact: true });
    expect(await box.inputValue()).toBe('6!');

    // A 5,000-digit base: its title and its log wrap or are shortened, at desktop and phone size.
    await computeExpression(page, `${'7'.repeat(5_000)}^2`);
    await page.getByRole('heading', { name: /^7{5000}²$/ }).waitFor();
    const cut = rows.filter({ hasText: 'input cut in the log' }).first();
    await cut.waitFor();
    expect(await cut.locator('td.input').textContent()).toMatch(/^\{"base":"7{51}…$/);
    expect(await pageWidth()).toBe(0);
    expect(await table.evaluate((element) => element.scrollWidth - element.clientWidth)).toBe(0);
    await page.setViewportSize(PHONE);
    expect(await pageWidth()).toBe(0);

    // A rounded fraction's Kind names it in full, a long unbroken run of digits: it wraps inside
    // its box, even at the 320 px of WCAG's reflow, rather than pushing the page sideways.
    await page.setViewportSize({ width: 320, height: PHONE.height });
    const kindDetail = result(page).locator('.kind-detail');
    for (const base of ['123456789012345678901234567890123', '9'.repeat(200)]) {
      await computeExpression(page, `(${base}/7)^3`);
      const numerator = (BigInt(base) ** 3n).toString();
      await kindDetail.filter({ hasText: `${numerator}/343` }).waitFor();
      // Rounded at the default precision, not at the integer digits it writes out as zeros.
      expect(await kindDetail.textContent()).toMatch(/rounded to 50 significant digits\)$/);
      expect(
        await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        ),
        `${base.length}-digit numerator`,
      ).toBe(0);
    }
    await expectAccessible(page, 'logs loaded by keyboard, long inputs');
    expect(app.problems).toEqual([]);
  });

  it('shares one session between the tabs of a browser, signs out everywhere, and never shows the previous user', async () => {
    const context = await app.browser.newContext({ viewport: DESKTOP });
    const first = await app.openTab(context, 'tab-1');
    const ada = { username: `Ada_tabs_${Date.now().toString(36)}`, password };
    const grace = { username: `Grace_tabs_${Date.now().toString(36)}`, password };
    await signIn(first, ada, 'register');
    await computeExpression(first, '7!');
    await first.getByRole('heading', { name: '7!' }).waitFor();

    // A new tab of the same browser starts signed in.
    const second = await app.openTab(context, 'tab-2');
    screenshotOnFailure({ first, second }, 'webapp-tabs');
    await second.getByRole('heading', { name: 'Calculate' }).waitFor();
    expect(await second.locator('.username').textContent()).toContain(ada.username);
    await expectAccessible(second, 'second tab signed in');

    // Signing out in one tab signs out the other, and revokes the token on the server: a copy
    // of it kept elsewhere no longer works.
    const adaToken = await first.evaluate(
      () =>
        (
          JSON.parse(localStorage.getItem('microservice-math.session') ?? '{}') as {
            token?: string;
          }
        ).token ?? '',
    );
    expect((await gql(app.system.urls.router, '{ me { id } }', {}, bearer(adaToken))).data).toEqual(
      {
        me: expect.objectContaining({ id: expect.any(String) }),
      },
    );
    await first.getByRole('button', { name: 'Sign out' }).click();
    await second.getByRole('heading', { name: 'Sign in' }).waitFor();
    // Signed out on purpose, not refused: the logout also closed this tab's socket as revoked.
    expect(await second.getByText('no longer accepts your session').count()).toBe(0);
    // And it says so: the tab did not sign itself out.
    await second.getByRole('status').filter({ hasText: 'Signed out in another tab.' }).waitFor();
    // The tab that signs out forgets the session first, so the other tab can be signed out
    // before the revocation lands; the tab itself shows Sign in only once the router answered.
    await first.getByRole('heading', { name: 'Sign in' }).waitFor();
    const afterSignOut = await gql(app.system.urls.router, '{ me { id } }', {}, bearer(adaToken));
    expect(afterSignOut.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');

    // Another user signs in: no tab ever shows the previous user's name or logs.
    const namesSeen = () =>
      second.evaluate(() => (window as unknown as { namesSeen: string[] }).namesSeen);
    await second.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { namesSeen: string[] }).namesSeen = seen;
      new MutationObserver(() => {
        const name = document.querySelector('.username')?.textContent;
        if (name) seen.push(name);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await signIn(first, grace, 'register');
    await second.getByRole('heading', { name: 'Calculate' }).waitFor();
    await expect.poll(namesSeen).toContainEqual(expect.stringContaining(grace.username));
    expect((await namesSeen()).filter((name) => name.includes(ada.username))).toEqual([]);
    await second.getByText('No calculations yet').waitFor();
    expect(await second.locator('.recent-logs').textContent()).not.toContain('n = 7');
    await context.close();
    expect(app.problems).toEqual([]);
  });

  it('brings a user whose session was refused back to their page and unsent expression after signing in, and no one else', async () => {
    const context = await app.browser.newContext({ viewport: DESKTOP });
    const page = await app.openTab(context, 'resume');
    screenshotOnFailure({ page }, 'webapp-resume');
    const suffix = Date.now().toString(36);
    const kay = { username: `Kay_resume_${suffix}`, password };
    const lee = { username: `Lee_resume_${suffix}`, password };
    await signIn(page, lee, 'register');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn(page, kay, 'register');
    await computeExpression(page, '7!');
    await result(page).getByText('5040').first().waitFor();
    const search = new URL(page.url()).search;
    expect(search).toBe('?op=factorial&n=7');
    const box = page.getByLabel('Expression', { exact: true });
    await box.fill('2^100'); // typed, not sent
    const revoke = async () => {
      const token = await page.evaluate(
        () =>
          (
            JSON.parse(localStorage.getItem('microservice-math.session') ?? '{}') as {
              token?: string;
            }
          ).token ?? '',
      );
      // Revoked elsewhere (another device's sign-out): the server closes this tab's socket.
      await gql(app.system.urls.router, 'mutation { logout }', {}, bearer(token));
      await page.getByText('no longer accepts your session').waitFor();
      expect(new URL(page.url()).search).toBe('');
    };
    await revoke();

    await signIn(page, kay, 'signIn');
    await expect.poll(() => new URL(page.url()).search).toBe(search);
    await result(page).getByText('5040').first().waitFor();
    await expect.poll(() => box.inputValue()).toBe('2^100');

    // Refused again: another user signing in in this browser gets none of it, nor does Kay after.
    await revoke();
    await signIn(page, lee, 'signIn');
    expect(new URL(page.url()).search).toBe('');
    expect(await box.inputValue()).toBe('');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, kay, 'signIn');
    expect(new URL(page.url()).search).toBe('');
    expect(await box.inputValue()).toBe('');
    await context.close();
    expect(app.problems).toEqual([]);
  });

  it('shows a reconnecting banner with a countdown and Retry now, and resumes the feed from its last log once live again', async () => {
    const context = await app.browser.newContext({ viewport: PHONE });
    const watcher = await app.openTab(context, 'watcher');
    screenshotOnFailure({ watcher }, 'webapp-connection');
    const account = { username: `Lin_live_${Date.now().toString(36)}`, password };
    await signIn(watcher, account, 'register');
    await watcher.locator('.live-indicator.live').waitFor();
    expect(await watcher.locator('.connection-banner').count()).toBe(0);
    const rowsOf = (text: string) =>
      watcher.locator('.recent-logs tbody tr:not(.details)').filter({ hasText: text });
    await computeExpression(watcher, '10!');
    await rowsOf('n = 10').waitFor();

    // From here on the list must catch up by the feed alone, not by fetching it again.
    const listFetches: unknown[] = [];
    watcher.on('request', (sent) => {
      const body = sent.postDataJSON() as { operationName?: string } | null;
      if (body?.operationName === 'RecentLogs') listFetches.push(body);
    });
    const resume = await app.interrupt();
    const banner = watcher.locator('.connection-banner');
    await expect.poll(() => banner.textContent()).toMatch(/Reconnecting in [0-5] s/);
    await expectAccessible(watcher, 'reconnecting banner');

    // Meanwhile a calculation is made elsewhere; the feed must show it once reconnected.
    const login = await gql<{ login: { token: string } }>(
      app.system.urls.router,
      'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }',
      { u: account.username, p: account.password },
    );
    const elsewhere = bearer(login.data?.login.token ?? '');
    await gql(app.system.urls.router, '{ factorial(n: 11) { digits } }', {}, elsewhere);

    // Resumed with at least 3 s left on the countdown, so it is Retry now that reconnects, not
    // the next scheduled attempt (on a busy machine that one can start just as the button is
    // clicked, and the button goes away while an attempt runs).
    await expect
      .poll(() => banner.textContent(), { timeout: 20_000, interval: 50 })
      .toMatch(/Reconnecting in [3-5] s/);
    await resume();
    await banner.getByRole('button', { name: 'Retry now' }).click();
    await watcher.locator('.live-indicator.live').waitFor();
    expect(await banner.count()).toBe(0);
    await rowsOf('n = 11').waitFor();

    // The feed goes on live; by the time the next log arrives, a second copy of the replayed one
    // would have too: it is listed exactly once.
    await gql(app.system.urls.router, '{ factorial(n: 12) { digits } }', {}, elsewhere);
    await rowsOf('n = 12').waitFor();
    expect(await rowsOf('n = 11').count()).toBe(1);
    expect(await rowsOf('n = 10').count()).toBe(1);
    expect(listFetches).toEqual([]);
    await context.close();
  });

  it('resubscribes a feed refused as rate-limited once its wait is over, and catches up on what was made meanwhile', async () => {
    const context = await app.browser.newContext({ viewport: PHONE });
    const page = await app.openTab(context, 'limited');
    screenshotOnFailure({ page }, 'webapp-feed-limited');
    const account = { username: `Lin_limited_${Date.now().toString(36)}`, password };
    await signIn(page, account, 'register');
    await computeExpression(page, '9!');
    const rowsOf = (text: string) =>
      page.locator('.recent-logs tbody tr:not(.details)').filter({ hasText: text });
    await rowsOf('n = 9').waitFor();

    // The first LogAdded subscription after the reload is refused as the router refuses one of
    // a rate-limited user (an `error` message); graphql-ws then closes the socket, none left.
    let refusals = 0;
    await context.routeWebSocket('**/graphql', (socket) => {
      const server = socket.connectToServer();
      socket.onMessage((message) => {
        const parsed = JSON.parse(String(message)) as { type?: string; id?: string };
        if (parsed.type === 'subscribe' && refusals === 0) {
          refusals += 1;
          const payload = [
            {
              message: 'Too many requests; try again in 3 s',
              extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 3 },
            },
          ];
          socket.send(JSON.stringify({ id: parsed.id, type: 'error', payload }));
          return;
        }
        server.send(message);
      });
    });
    await page.goto(app.url);
    const list = page.locator('.recent-logs');
    await list.getByText('Live feed: Too many requests.').waitFor();
    await list.getByText(/Resuming in [1-3] s\./).waitFor();
    // Closed for want of a subscription, the socket is not "disconnected"; and the refused feed
    // is not idle either: the header says it is paused.
    await page.locator('.live-indicator.paused').waitFor();
    expect(await page.locator('.live-indicator').textContent()).toContain('Paused');
    expect(await page.locator('.connection-banner').count()).toBe(0);

    // A calculation made elsewhere during the wait arrives once the feed resumes by itself.
    const login = await gql<{ login: { token: string } }>(
      app.system.urls.router,
      'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }',
      { u: account.username, p: account.password },
    );
    const elsewhere = bearer(login.data?.login.token ?? '');
    await gql(app.system.urls.router, '{ factorial(n: 11) { digits } }', {}, elsewhere);
    await page.locator('.live-indicator.live').waitFor({ timeout: 15_000 });
    await rowsOf('n = 11').waitFor();
    expect(await list.getByText('Too many requests').count()).toBe(0);
    expect(refusals).toBe(1);
    await context.close();
  });

  it('loads the list once the router is back, when the page opened while it was away', async () => {
    const context = await app.browser.newContext({ viewport: PHONE });
    const page = await app.openTab(context, 'away');
    screenshotOnFailure({ page }, 'webapp-router-back');
    const account = { username: `Lin_back_${Date.now().toString(36)}`, password };
    await signIn(page, account, 'register');
    await computeExpression(page, '9!');
    const rowsOf = (text: string) =>
      page.locator('.recent-logs tbody tr:not(.details)').filter({ hasText: text });
    await rowsOf('n = 9').waitFor();

    // The router away, as the web app's proxy answers then; its socket refused too.
    let routerAway = true;
    const away = JSON.stringify({ errors: [{ message: 'The router is not reachable' }] });
    await context.route('**/graphql', (route) =>
      routerAway
        ? route.fulfill({ status: 502, contentType: 'application/json', body: away })
        : route.continue(),
    );
    await context.routeWebSocket('**/graphql', (socket) => {
      if (routerAway) void socket.close();
      else socket.connectToServer();
    });
    // Opened afresh at the root: reloading the address the calculation left (`?operation=…`)
    // would compute 9! again, and that resend lands once the router is back, a second row.
    await page.goto(app.url);
    const list = page.locator('.recent-logs');
    await list.getByText('The server could not be reached').waitFor();
    await list.getByRole('button', { name: 'Try again' }).waitFor();

    routerAway = false;
    await page.locator('.connection-banner').getByRole('button', { name: 'Retry now' }).click();
    await page.locator('.live-indicator.live').waitFor();
    await rowsOf('n = 9').waitFor();
    expect(await list.getByText('The server could not be reached').count()).toBe(0);
    await context.close();
  });

  it('delivers compressed, long-cached assets, no source maps, a favicon and a static first paint', async () => {
    const get = (path: string, acceptEncoding = 'gzip, deflate, br') =>
      new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>(
        (resolve, reject) => {
          request(
            new URL(path, app.url),
            { headers: { 'accept-encoding': acceptEncoding } },
            (response) => {
              let body = '';
              response.setEncoding('latin1');
              response.on('data', (chunk: string) => (body += chunk));
              response.on('end', () =>
                resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
              );
            },
          )
            .on('error', reject)
            .end();
        },
      );

    const page = await get('/', 'identity');
    const scriptPath = /<script type="module" crossorigin src="([^"]+)"/.exec(page.body)?.[1];
    expect(scriptPath).toMatch(/^\/assets\/index-[\w-]+\.js$/);
    const script = await get(scriptPath ?? '');
    expect(script.headers['content-encoding']).toBe('br');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get(`${scriptPath}.map`)).status).toBe(404);
    expect((await get(scriptPath ?? '', 'identity')).body).not.toContain('sourceMappingURL');
    const favicon = await get('/favicon.svg');
    expect(favicon.status).toBe(200);
    expect(favicon.headers['content-type']).toMatch(/^image\/svg\+xml/);

    // Without JavaScript the page still says what the app is.
    const context = await app.browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
    const noScript = await app.openTab(context, 'no-script');
    expect(await noScript.getByRole('heading', { name: 'Microservice Math' }).isVisible()).toBe(
      true,
    );
    expect(await noScript.locator('body').textContent()).toMatch(/power, factorial and Fibonacci/);
    await context.close();

    // The production build prints nothing to the console (no development notices).
    const messages: string[] = [];
    const quiet = await app.browser.newContext({ viewport: DESKTOP });
    const quietPage = await quiet.newPage();
    quietPage.on('console', (message) => messages.push(message.text()));
    await quietPage.goto(app.url);
    await quietPage.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(messages).toEqual([]);
    await quiet.close();
  });

  it('lets a page talk to its own origin only: a script cannot open a socket or a request to another host', async () => {
    const page = await app.open('csp');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // The router itself, on its own port: another origin, as a host an injected script would
    // send a stolen token to. The app reaches the router through its own origin's proxy.
    const elsewhere = new URL(app.system.urls.router);
    const violations = await page.evaluate(
      async (router) => {
        const blocked: string[] = [];
        document.addEventListener('securitypolicyviolation', (event) =>
          blocked.push(`${event.effectiveDirective} ${event.blockedURI}`),
        );
        try {
          new WebSocket(`ws://${router.host}/graphql`, 'graphql-transport-ws').close();
        } catch {
          // Blocked before it opened; the violation event says so.
        }
        await fetch(router.href, { method: 'POST' }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 0));
        return blocked;
      },
      { host: elsewhere.host, href: elsewhere.href },
    );
    expect(violations).toEqual([
      `connect-src ws://${elsewhere.host}/graphql`,
      `connect-src ${elsewhere.href}`,
    ]);
    await page.context().close();
  });
});
