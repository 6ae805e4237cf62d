import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../../tests/support/waitFor';
import {
  createTestGraphQLClient,
  provideFor,
  type Responder,
  type TestGraphQLClient,
} from '../testing/fakeGraphQLServer';
import { LiveConnectionKey } from '../graphql/liveConnection';
import { UNREACHABLE_MESSAGE } from '../graphql/operationErrors';
import { requestLog } from '../testing/requestLog';
import { runAgain } from './calculationUrl';
import CalculatorPanel from './CalculatorPanel.vue';
import { withEntryUser } from './entryUser';
import { createResumePoints, ResumePointsKey } from './resumePoint';
import { EXPIRED_MESSAGE, REFUSED_MESSAGE } from '../session/session';

function calculation(overrides: Record<string, unknown> = {}) {
  return {
    __typename: 'Calculation',
    operation: 'FACTORIAL',
    input: '{"n":5}',
    result: '120',
    exact: true,
    fraction: null,
    digits: 3,
    cached: false,
    durationMs: 0.05,
    log: requestLog(),
    ...overrides,
  };
}

/** The server's answer refusing `field`: no data, and one error with these extensions. */
function refusal(field: string, message: string, extensions: Record<string, unknown>) {
  return { data: { [field]: null }, errors: [{ path: [field], message, extensions }] };
}

let client: TestGraphQLClient | undefined;
afterEach(() => {
  client?.dispose();
  window.history.replaceState(null, '', '/');
});

/**
 * Without resends unless `resendDelaysMs` is given: the tests below each see one attempt. Each
 * submit is sent, even of a calculation just answered, unless `doubleSubmitMs` is given.
 */
function mountPanel(
  responders: Record<string, Responder>,
  {
    resendDelaysMs = [] as readonly number[],
    heldAnswersLimits = undefined as { maxAnswers: number; maxCharacters: number } | undefined,
    doubleSubmitMs = 0,
  } = {},
) {
  client = createTestGraphQLClient(responders);
  return mount(CalculatorPanel, {
    props: { resendDelaysMs, doubleSubmitMs, ...(heldAnswersLimits ? { heldAnswersLimits } : {}) },
    global: { provide: provideFor(client) },
    attachTo: document.body,
  });
}

async function typeN(wrapper: ReturnType<typeof mountPanel>, value: string) {
  await wrapper.get('input[name="n"]').setValue(value);
}

describe('CalculatorPanel', () => {
  it('names its two Compute buttons apart, for a screen reader that lists them', () => {
    const wrapper = mountPanel({});
    expect(wrapper.findAll('button[type="submit"]').map((button) => button.text())).toEqual([
      'Compute the expression',
      'Compute',
    ]);
    wrapper.unmount();
  });

  it('flags an argument as it is typed, before anything is sent', async () => {
    const wrapper = mountPanel({});
    await typeN(wrapper, '2.5');
    const input = wrapper.get('input[name="n"]');
    expect(input.attributes('aria-invalid')).toBe('true');
    expect(wrapper.get('.field-error').text()).toMatch(/whole number/);
    expect(input.attributes('aria-describedby')).toContain(
      wrapper.get('.field-error').attributes('id'),
    );
    wrapper.unmount();
  });

  it('judges a kept n by the rules of the operation switched to', async () => {
    const wrapper = mountPanel({});
    await wrapper.get('input[value="FIBONACCI"]').setValue(true);
    await typeN(wrapper, '-5');
    expect(wrapper.find('.field-error').exists()).toBe(false);

    await wrapper.get('input[value="FACTORIAL"]').setValue(true);
    expect(wrapper.get('.field-error').text()).toMatch(/0 or more/);
    wrapper.unmount();
  });

  it('sends the typed n and shows the result with its facts', async () => {
    const wrapper = mountPanel({ Factorial: () => ({ data: { factorial: calculation() } }) });
    await typeN(wrapper, '5');
    await wrapper.get('form.calculation-form').trigger('submit');
    await flushPromises();

    expect(client?.sent.map(({ variables }) => variables)).toEqual([{ n: 5 }]);
    const result = wrapper.get('.calculation-result');
    expect(result.get('h3').text()).toBe('5!');
    expect(result.text()).toContain('120');
    expect(result.text()).toContain('Exact');
    expect(result.text()).toContain('Computed');
    expect(wrapper.get('[aria-live="polite"]').text()).toBe(
      '5 factorial: 3 digits, exact, computed in 0.05 ms.',
    );
    wrapper.unmount();
  });

  it("sends power's precision and names the server's fraction beside the rounded decimal", async () => {
    const wrapper = mountPanel({
      Power: () => ({
        data: {
          power: calculation({
            operation: 'POWER',
            input: '{"base":"1/3","exponent":"1","precision":5}',
            result: '0.33333',
            exact: false,
            fraction: '1/3',
            digits: 5,
          }),
        },
      }),
    });
    await wrapper.get('input[value="POWER"]').setValue(true);
    await wrapper.get('input[name="base"]').setValue('1/3');
    await wrapper.get('input[name="exponent"]').setValue('1');
    await wrapper.get('input[name="precision"]').setValue('5');
    await wrapper.get('form.calculation-form').trigger('submit');
    await flushPromises();

    expect(client?.sent.map(({ variables }) => variables)).toEqual([
      { base: '1/3', exponent: '1', precision: 5 },
    ]);
    expect(wrapper.get('.calculation-result .kind').text()).toBe(
      'Exact fraction (1/3; its decimal is rounded to 5 significant digits)',
    );
    wrapper.unmount();
  });

  it('says a rounded answer is to the precision asked, though its trailing 0 was dropped', async () => {
    const wrapper = mountPanel({
      Power: () => ({
        data: {
          power: calculation({
            operation: 'POWER',
            input: '{"base":"2","exponent":"-1/3","precision":10}',
            result: '0.793700526',
            exact: false,
            digits: 10,
          }),
        },
      }),
    });
    await wrapper.get('input[value="POWER"]').setValue(true);
    await wrapper.get('input[name="base"]').setValue('2');
    await wrapper.get('input[name="exponent"]').setValue('-1/3');
    await wrapper.get('input[name="precision"]').setValue('10');
    await wrapper.get('form.calculation-form').trigger('submit');
    await flushPromises();
    expect(client?.sent[0]?.variables).toEqual({ base: '2', exponent: '-1/3', precision: 10 });
    expect(wrapper.get('.kind').text()).toBe(
      'Rounded (to 10 significant digits, a trailing 0 dropped)',
    );
    wrapper.unmount();
  });

  it('says a rounded fraction of more integer digits than the precision is rounded to the precision, and not a whole number', async () => {
    const fraction =
      '1881676372353657772546716040595265868817422360610342210934275258408069807576943069432557725290867/343';
    const wrapper = mountPanel({
      Power: () => ({
        data: {
          power: calculation({
            operation: 'POWER',
            input: '{"base":"123456789012345678901234567890123/7","exponent":"3","precision":50}',
            // 50 significant digits, then 44 zeros to reach the point.
            result: `54859369456374862173373645498404252735201818093596${'0'.repeat(44)}`,
            exact: false,
            fraction,
            digits: 94,
          }),
        },
      }),
    });
    await wrapper
      .get('input[name="expression"]')
      .setValue('(123456789012345678901234567890123/7)^3');
    await wrapper.get('form.expression').trigger('submit');
    await flushPromises();
    expect(wrapper.get('.kind').text()).toBe(
      `Exact fraction (${fraction}; its decimal is rounded to 50 significant digits)`,
    );
    expect(wrapper.get('.calculation-result .anatomy').text()).toBe(
      'Integer part 94 digits; rounded, no decimals shown',
    );
    wrapper.unmount();
  });

  it("titles the answer as typed, not as the server's canonical input echoes it", async () => {
    const wrapper = mountPanel({
      Power: () => ({
        data: {
          power: calculation({
            operation: 'POWER',
            input: '{"base":"0.5","exponent":"2"}',
            result: '0.25',
            digits: 2,
          }),
        },
      }),
    });
    await wrapper.get('input[name="expression"]').setValue('(1/2)^2');
    await wrapper.get('form.expression').trigger('submit');
    await flushPromises();

    expect(client?.sent.map(({ variables }) => variables)).toEqual([
      { base: '1/2', exponent: '2' },
    ]);
    expect(wrapper.get('.calculation-result h3').text()).toBe('(1/2)²');
    expect(wrapper.get('[aria-live="polite"]').text()).toMatch(
      /^open bracket 1 over 2 close bracket, to the power 2: /,
    );
    wrapper.unmount();
  });

  it('shows a million-digit result folded, keeping the digits out of the page', async () => {
    const digits = '9'.repeat(1_000_000);
    const wrapper = mountPanel({
      Fibonacci: () => ({
        data: {
          fibonacci: calculation({
            operation: 'FIBONACCI',
            input: '{"n":4785000}',
            result: digits,
            digits: 1_000_000,
          }),
        },
      }),
    });
    await wrapper.get('input[value="FIBONACCI"]').setValue(true);
    await typeN(wrapper, '4785000');
    await wrapper.get('form.calculation-form').trigger('submit');
    await flushPromises();

    expect(wrapper.get('.calculation-result').text()).toContain('1,000,000');
    expect(wrapper.html().length).toBeLessThan(20_000);
    wrapper.unmount();
  });

  it("puts the server's BAD_USER_INPUT message under the argument it names", async () => {
    const wrapper = mountPanel({
      Factorial: () =>
        refusal('factorial', 'n: must be at most 100000', {
          code: 'BAD_USER_INPUT',
          argument: 'n',
        }),
    });
    await typeN(wrapper, '200000');
    await wrapper.get('form.calculation-form').trigger('submit');
    await flushPromises();

    expect(wrapper.get('.field-error').text()).toBe('Must be at most 100000');
    expect(wrapper.get('[role="alert"]').text()).toBe('');
    wrapper.unmount();
  });

  it("takes the server's message about an argument away once the box or the form holds something else", async () => {
    const evenRoot = () =>
      refusal('power', 'exponent: an even root of a negative number is not a real number', {
        code: 'BAD_USER_INPUT',
        argument: 'exponent',
      });
    const wrapper = mountPanel({ Power: evenRoot });
    const box = wrapper.get('input[name="expression"]');
    const formErrors = () => wrapper.findAll('.calculation-form .field-error').map((p) => p.text());
    const exponentInvalid = () => wrapper.get('input[name="exponent"]').attributes('aria-invalid');
    const computeInBox = async (typed: string) => {
      await box.trigger('focus');
      await box.setValue(typed);
      await wrapper.get('form.expression').trigger('submit');
      await flushPromises();
    };

    await computeInBox('(-8)^(1/2)');
    expect(formErrors()).toEqual(['An even root of a negative number is not a real number']);
    expect(exponentInvalid()).toBe('true');

    // Another expression typed: its own error is the box's; the form's was about (-8)^(1/2).
    await computeInBox('<img src=x onerror=alert(1)>');
    expect(wrapper.get('.expression .field-error').text()).toMatch(/^Write n! for a factorial/);
    expect(formErrors()).toEqual([]);
    expect(exponentInvalid()).toBeUndefined();

    // Another field edited: the exponent's message was about the base sent too.
    await computeInBox('(-8)^(1/2)');
    expect(formErrors()).toHaveLength(1);
    await wrapper.get('input[name="base"]').setValue('8');
    expect(formErrors()).toEqual([]);
    expect(exponentInvalid()).toBeUndefined();
    expect(client?.sent).toHaveLength(2);
    wrapper.unmount();
  });

  it("leaves out the server's message about an argument changed while the request was on its way", async () => {
    let wrapper: ReturnType<typeof mountPanel> | undefined = undefined;
    wrapper = mountPanel({
      Power: () => {
        // The user edits the exponent while the answer is on its way.
        const exponent = wrapper?.get('input[name="exponent"]').element as HTMLInputElement;
        exponent.value = '2';
        exponent.dispatchEvent(new Event('input'));
        return refusal(
          'power',
          'exponent: an even root of a negative number is not a real number',
          { code: 'BAD_USER_INPUT', argument: 'exponent' },
        );
      },
    });
    const box = wrapper.get('input[name="expression"]');
    await box.trigger('focus');
    await box.setValue('(-4)^(1/2)');
    await wrapper.get('form.expression').trigger('submit');
    await flushPromises();

    expect(client?.sent).toHaveLength(1);
    expect((wrapper.get('input[name="exponent"]').element as HTMLInputElement).value).toBe('2');
    expect(wrapper.findAll('.calculation-form .field-error')).toEqual([]);
    expect(wrapper.get('input[name="exponent"]').attributes('aria-invalid')).toBeUndefined();
    expect(document.activeElement).not.toBe(wrapper.get('input[name="exponent"]').element);
    wrapper.unmount();
  });

  it('shows a refusal about the whole request, such as RESULT_TOO_LARGE, as an alert', async () => {
    const wrapper = mountPanel({
      Power: () =>
        refusal('power', 'The result would have too many digits', {
          code: 'RESULT_TOO_LARGE',
          maxDigits: 1_000_000,
          predictedDigits: 3_010_300,
        }),
    });
    await wrapper.get('input[value="POWER"]').setValue(true);
    await wrapper.get('input[name="base"]').setValue('2');
    await wrapper.get('input[name="exponent"]').setValue('10000000');
    await wrapper.get('form.calculation-form').trigger('submit');
    await flushPromises();

    expect(client?.sent[0]?.variables).toEqual({ base: '2', exponent: '10000000' });
    expect(wrapper.get('[role="alert"]').text()).toMatch(
      /^Refused: .*too many digits.*3.010.300 digits/,
    );
    wrapper.unmount();
  });

  it("counts a refusal's wait down once a second, unspoken, and takes the refusal away once it is over", async () => {
    // Only the clock is faked: the fake server's answers still come through real promises.
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    let refused = true;
    const wrapper = mountPanel({
      Factorial: () =>
        refused
          ? refusal('factorial', 'Too many requests; try again in 3 s', {
              code: 'RATE_LIMITED',
              retryAfterSeconds: 3,
            })
          : { data: { factorial: calculation() } },
    });
    try {
      const alert = () => wrapper.get('[role="alert"]').text();
      const liveRegion = () => wrapper.get('[aria-live="polite"]').text();
      const wait = () => wrapper.find('.retry-wait');
      const computeButtons = () => wrapper.findAll('button.primary');
      await typeN(wrapper, '5');
      await wrapper.get('form.calculation-form').trigger('submit');
      await flushPromises();

      // The refusal and its wait are said once; the wait is not in the alert, which would
      // say it again at every change.
      expect(alert()).toBe('Refused: Too many requests.');
      expect(liveRegion()).toBe('Try again in 3 s.');
      expect(wait().text()).toBe('Try again in 3 s.');
      for (const button of computeButtons())
        expect(button.attributes('aria-disabled')).toBe('true');

      for (const left of [2, 1]) {
        await vi.advanceTimersByTimeAsync(1_000);
        expect(wait().text()).toBe(`Try again in ${left} s.`);
        expect(alert()).toBe('Refused: Too many requests.');
        expect(liveRegion()).toBe('Try again in 3 s.');
      }
      // Enter meanwhile sends nothing (it would be refused again) and says what is left.
      await wrapper.get('form.expression').trigger('submit');
      await flushPromises();
      expect(client?.sent).toHaveLength(1);
      expect(liveRegion()).toBe('Try again in 1 s.');

      await vi.advanceTimersByTimeAsync(1_000);
      expect(wait().exists()).toBe(false);
      // The refusal goes with its wait: left, it would read as still refused.
      expect(alert()).toBe('');
      expect(liveRegion()).toBe('You can compute again now.');
      expect(client?.sent).toHaveLength(1);
      for (const button of computeButtons())
        expect(button.attributes('aria-disabled')).toBeUndefined();

      refused = false;
      await wrapper.get('form.calculation-form').trigger('submit');
      await flushPromises();
      expect(client?.sent).toHaveLength(2);
      expect(wrapper.get('.calculation-result').text()).toContain('120');
      expect(alert()).toBe('');
    } finally {
      wrapper.unmount();
      vi.useRealTimers();
    }
  });

  it('a service away (SERVICE_UNAVAILABLE with a wait): not "Refused", counted down, sent again by itself, backing off', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    let away = true;
    const wrapper = mountPanel({
      Factorial: () =>
        away
          ? refusal(
              'factorial',
              'The math subgraph is unreachable: no instance of it is available',
              { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1, serviceName: 'math' },
            )
          : { data: { factorial: calculation() } },
    });
    try {
      const alert = () => wrapper.get('[role="alert"]').text();
      const wait = () => wrapper.find('.retry-wait');
      await typeN(wrapper, '5');
      await wrapper.get('form.calculation-form').trigger('submit');
      await flushPromises();
      expect(alert()).toBe('Waiting: The math service is not available right now.');
      expect(wait().text()).toBe('Sending it again in 1 s.');
      expect(wrapper.get('[aria-live="polite"]').text()).toBe('Sending it again in 1 s.');

      // Still away at the resend: the next wait is twice as long.
      await vi.advanceTimersByTimeAsync(1_000);
      expect(client?.sent).toHaveLength(2);
      expect(alert()).toBe('Waiting: The math service is not available right now.');
      expect(wait().text()).toBe('Sending it again in 2 s.');

      away = false;
      await vi.advanceTimersByTimeAsync(1_000);
      expect(client?.sent).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(client?.sent).toHaveLength(3);
      expect(client?.sent[2]?.variables).toEqual({ n: 5 });
      expect(alert()).toBe('');
      expect(wait().exists()).toBe(false);
      expect(wrapper.get('.calculation-result').text()).toContain('120');
    } finally {
      wrapper.unmount();
      vi.useRealTimers();
    }
  });

  it('a service away: the user may ask again at once, and the backed-off wait goes with it', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    let away = true;
    const wrapper = mountPanel({
      Factorial: () =>
        away
          ? refusal('factorial', 'The math subgraph is unreachable', {
              code: 'SERVICE_UNAVAILABLE',
              retryAfterSeconds: 1,
              serviceName: 'math',
            })
          : { data: { factorial: calculation() } },
    });
    try {
      await typeN(wrapper, '5');
      await wrapper.get('form.calculation-form').trigger('submit');
      await flushPromises();
      // Resent by itself twice, still away: the wait has grown to 4 s.
      await vi.advanceTimersByTimeAsync(1_000);
      await vi.advanceTimersByTimeAsync(2_000);
      expect(client?.sent).toHaveLength(3);
      expect(wrapper.get('.retry-wait').text()).toBe('Sending it again in 4 s.');
      // Edited meanwhile, it will not be sent by itself, and the line says so.
      await typeN(wrapper, '6');
      expect(wrapper.get('.retry-wait').text()).toBe('Try again in 4 s.');
      // The user asks at once, and the service is back: sent now, not in 4 s.
      away = false;
      await wrapper.get('form.calculation-form').trigger('submit');
      await flushPromises();
      expect(client?.sent).toHaveLength(4);
      expect(client?.sent[3]?.variables).toEqual({ n: 6 });
      expect(wrapper.find('.retry-wait').exists()).toBe(false);
      expect(wrapper.get('[role="alert"]').text()).toBe('');
    } finally {
      wrapper.unmount();
      vi.useRealTimers();
    }
  });

  it('gives up the calculation on its way, and stops hearing Esc, when it goes (the session ended)', async () => {
    const added = vi.spyOn(document, 'addEventListener');
    const removed = vi.spyOn(document, 'removeEventListener');
    try {
      const wrapper = mountPanel({ Factorial: () => 'hang' });
      await typeN(wrapper, '5');
      await wrapper.get('form.calculation-form').trigger('submit');
      await flushPromises();
      expect(client?.sent[0]?.signal?.aborted).toBe(false);
      const escListeners = added.mock.calls.filter(([type]) => type === 'keydown');
      wrapper.unmount();
      expect(client?.sent[0]?.signal?.aborted).toBe(true);
      // The very listener the panel added for Esc is the one taken away.
      expect(escListeners).toHaveLength(1);
      expect(removed.mock.calls.map(([type, listener]) => [type, listener])).toContainEqual(
        escListeners[0]?.slice(0, 2),
      );
    } finally {
      added.mockRestore();
      removed.mockRestore();
    }
  });

  it('a service away: asked again during its wait, the live region says it is computing, not that the wait is over', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    let away = true;
    const wrapper = mountPanel({
      Factorial: () =>
        away
          ? refusal('factorial', 'The math subgraph is unreachable', {
              code: 'SERVICE_UNAVAILABLE',
              retryAfterSeconds: 5,
              serviceName: 'math',
            })
          : 'hang',
    });
    try {
      await typeN(wrapper, '5');
      await wrapper.get('form.calculation-form').trigger('submit');
      await flushPromises();
      expect(wrapper.get('.retry-wait').text()).toBe('Sending it again in 5 s.');
      // The user asks again at once; the answer takes its time.
      away = false;
      await wrapper.get('form.calculation-form').trigger('submit');
      await flushPromises();
      expect(client?.sent).toHaveLength(2);
      expect(wrapper.get('[aria-live="polite"]').text()).toBe('Computing 5 factorial.');
    } finally {
      wrapper.unmount();
      vi.useRealTimers();
    }
  });

  it('a service away, the form changed during the wait: nothing is sent, the stale words go', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    const wrapper = mountPanel({
      Factorial: () =>
        refusal('factorial', 'The math subgraph is unreachable', {
          code: 'SERVICE_UNAVAILABLE',
          retryAfterSeconds: 1,
          serviceName: 'math',
        }),
    });
    try {
      await typeN(wrapper, '5');
      await wrapper.get('form.calculation-form').trigger('submit');
      await flushPromises();
      await typeN(wrapper, '6');
      await vi.advanceTimersByTimeAsync(1_000);
      expect(client?.sent).toHaveLength(1);
      expect(wrapper.get('[role="alert"]').text()).toBe('');
      expect(wrapper.get('[aria-live="polite"]').text()).toBe('You can compute again now.');
    } finally {
      wrapper.unmount();
      vi.useRealTimers();
    }
  });

  it('shows progress while computing and cancels the HTTP request on Cancel', async () => {
    const wrapper = mountPanel({ Factorial: () => 'hang' });
    await typeN(wrapper, '100000');
    await wrapper.get('form.calculation-form').trigger('submit');
    await flushPromises();

    expect(wrapper.find('progress').exists()).toBe(true);
    const cancel = wrapper.findAll('button').find((button) => button.text().startsWith('Cancel'));
    await cancel?.trigger('click');
    await flushPromises();

    expect(client?.sent[0]?.signal?.aborted).toBe(true);
    expect(wrapper.find('progress').exists()).toBe(false);
    expect(wrapper.get('[role="alert"]').text()).toBe('Cancelled: 100000! was not computed.');
    wrapper.unmount();
  });

  it('keeps keyboard focus in the form when its Cancel button goes away: on its Compute button', async () => {
    const wrapper = mountPanel({ Factorial: () => 'hang' });
    await typeN(wrapper, '100000');
    await wrapper.get('form.calculation-form').trigger('submit');
    await flushPromises();
    const cancel = wrapper.findAll('button').find((button) => button.text().startsWith('Cancel'));
    (cancel?.element as HTMLButtonElement).focus();
    await cancel?.trigger('click');
    await flushPromises();

    expect(wrapper.find('progress').exists()).toBe(false);
    expect(document.activeElement).toBe(
      wrapper.get('form.calculation-form button[type="submit"]').element,
    );
    wrapper.unmount();
  });

  it('cancels on Esc and takes away the previous answer, which no longer matches the form', async () => {
    let answered = false;
    const wrapper = mountPanel({
      Factorial: () => {
        if (answered) return 'hang';
        answered = true;
        return { data: { factorial: calculation() } };
      },
    });
    await typeN(wrapper, '5');
    await wrapper.get('form.calculation-form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('.calculation-result').exists()).toBe(true);

    await typeN(wrapper, '100000');
    await wrapper.get('form.calculation-form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('.answer').classes()).toContain('stale');

    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await flushPromises();
    expect(client?.sent[1]?.signal?.aborted).toBe(true);
    expect(wrapper.find('.calculation-result').exists()).toBe(false);
    expect(wrapper.get('[role="alert"]').text()).toMatch(/^Cancelled/);
    wrapper.unmount();
  });

  it('fills the form from an expression and writes the form back into the box', async () => {
    const wrapper = mountPanel({});
    await wrapper.get('input[name="expression"]').setValue('(-8)^(1/3)');
    expect((wrapper.get('input[value="POWER"]').element as HTMLInputElement).checked).toBe(true);
    expect((wrapper.get('input[name="base"]').element as HTMLInputElement).value).toBe('-8');
    expect((wrapper.get('input[name="exponent"]').element as HTMLInputElement).value).toBe('1/3');

    await wrapper.get('input[name="exponent"]').setValue('2');
    expect((wrapper.get('input[name="expression"]').element as HTMLInputElement).value).toBe(
      '(-8)^2',
    );
    wrapper.unmount();
  });

  it('keeps the significant digits chosen in the form when a power is typed in the box, and sends them', async () => {
    const wrapper = mountPanel({
      Power: () => ({
        data: {
          power: calculation({
            operation: 'POWER',
            input: '{"base":"3","exponent":"0.5","precision":7}',
            result: '1.732051',
            exact: false,
            digits: 7,
          }),
        },
      }),
    });
    await wrapper.get('input[value="POWER"]').setValue(true);
    await wrapper.get('input[name="precision"]').setValue('7');
    const box = wrapper.get('input[name="expression"]');
    await box.trigger('focus');
    await box.setValue('3^(1/2)');
    expect(wrapper.get('input[name="precision"]').element).toHaveProperty('value', '7');
    await wrapper.get('form.expression').trigger('submit');
    await flushPromises();
    expect(client?.sent.map(({ variables }) => variables)).toEqual([
      { base: '3', exponent: '1/2', precision: 7 },
    ]);
    wrapper.unmount();
  });

  it("rewrites the box from the form when the form's Compute runs, clearing the box's error", async () => {
    const wrapper = mountPanel({
      Factorial: () => ({
        data: { factorial: calculation({ input: '{"n":7}', result: '5040', digits: 4 }) },
      }),
    });
    const box = wrapper.get('input[name="expression"]');
    const boxError = () => wrapper.find(`[id="${box.attributes('id')}-error"]`);
    await typeN(wrapper, '7');
    await wrapper.get('form.calculation-form').trigger('submit');
    await flushPromises();
    // Typed in the box and left: it never read as a calculation, so the form still says 7.
    await box.trigger('focus');
    await box.setValue('2^^3');
    await box.trigger('blur');
    expect(boxError().exists()).toBe(true);

    await wrapper.get('form.calculation-form').trigger('submit');
    await flushPromises();
    expect((box.element as HTMLInputElement).value).toBe('7!');
    expect(boxError().exists()).toBe(false);
    expect(box.attributes('aria-invalid')).toBeUndefined();
    expect(wrapper.text()).toContain('5040');
    wrapper.unmount();
  });

  it("says factorial's own rule for a negative factorial typed in the box, without sending", async () => {
    const wrapper = mountPanel({});
    await wrapper.get('input[name="expression"]').setValue('(-1)!');
    await wrapper.get('form.expression').trigger('submit');
    await flushPromises();
    expect(wrapper.get('.field-error').text()).toMatch(/^n must be 0 or more/);
    expect(client?.sent).toEqual([]);
    wrapper.unmount();
  });

  it('refuses -5! in the box, which is -(5!), without sending or filling the form, and what it suggests computes', async () => {
    const wrapper = mountPanel({ Factorial: () => ({ data: { factorial: calculation() } }) });
    await typeN(wrapper, '7');
    const box = wrapper.get('input[name="expression"]');
    const boxError = () => wrapper.find(`[id="${box.attributes('id')}-error"]`);
    await box.setValue('-5!');
    await wrapper.get('form.expression').trigger('submit');
    await flushPromises();
    expect(boxError().text()).toBe(
      '-5! reads as -(5!), which is not computed here. Write 5! for the factorial of 5.',
    );
    expect(box.attributes('aria-invalid')).toBe('true');
    expect((wrapper.get('input[name="n"]').element as HTMLInputElement).value).toBe('7');
    expect(client?.sent).toEqual([]);

    // Written as the message says, it is computed: not refused in turn by factorial's rule.
    const suggested = /write (\S+?):? /i.exec(boxError().text())?.[1] ?? '';
    await box.setValue(suggested);
    await wrapper.get('form.expression').trigger('submit');
    await flushPromises();
    expect(wrapper.find('.field-error').exists()).toBe(false);
    expect(client?.sent.map(({ operationName, variables }) => [operationName, variables])).toEqual([
      ['Factorial', { n: 5 }],
    ]);
    wrapper.unmount();
  });

  it('says so when the address names an operation it does not know, as text, and shows the default form', async () => {
    const evil = `<img src=x onerror=alert(1)>${'x'.repeat(200)}`;
    window.history.replaceState(null, '', `?op=${encodeURIComponent(evil)}&n=1`);
    const wrapper = mountPanel({});
    await flushPromises();
    const notice = wrapper.get('.link-notice');
    expect(notice.attributes('role')).toBe('status');
    expect(notice.text()).toBe(
      `This link asks for an operation the calculator does not know, “${evil.slice(0, 40)}…”: here is the Factorial form instead.`,
    );
    expect(notice.find('img').exists()).toBe(false);
    expect((wrapper.get('input[value="FACTORIAL"]').element as HTMLInputElement).checked).toBe(
      true,
    );
    expect((wrapper.get('input[name="n"]').element as HTMLInputElement).value).toBe('');
    expect(client?.sent).toEqual([]);

    // Said until the form is used.
    await typeN(wrapper, '5');
    expect(wrapper.find('.link-notice').exists()).toBe(false);
    wrapper.unmount();
  });

  it('says what an address leaves out (?op=power&base=2) under its field, and sends nothing', async () => {
    window.history.replaceState(null, '', '/?op=power&base=2');
    const wrapper = mountPanel({});
    await flushPromises();
    expect(wrapper.get('input[name="base"]').element).toHaveProperty('value', '2');
    const exponent = wrapper.get('input[name="exponent"]');
    expect(exponent.attributes('aria-invalid')).toBe('true');
    expect(wrapper.findAll('.field-error').map((error) => error.text())).toEqual([
      'Enter an exponent.',
    ]);
    expect(document.activeElement).toBe(exponent.element);
    expect(client?.sent).toEqual([]);

    await exponent.setValue('10');
    expect(wrapper.find('.field-error').exists()).toBe(false);
    wrapper.unmount();
  });

  it('writes a calculation restored by Back into the box, even while the box has focus', async () => {
    const wrapper = mountPanel({
      Factorial: () => ({ data: { factorial: calculation({ input: '{"n":6}' }) } }),
      Power: () => 'hang',
    });
    const box = wrapper.get('input[name="expression"]');
    (box.element as HTMLInputElement).focus();
    await box.setValue('6!');
    await wrapper.get('form.expression').trigger('submit');
    await flushPromises();
    await box.setValue('2^9');
    await wrapper.get('form.expression').trigger('submit');
    await flushPromises();
    expect(window.location.search).toBe('?op=power&base=2&exponent=9');
    expect(document.activeElement).toBe(box.element);

    // Back: the address is the factorial again, and the box says so, focused or not.
    window.history.replaceState(withEntryUser(null, 'u1'), '', '?op=factorial&n=6');
    window.dispatchEvent(new PopStateEvent('popstate'));
    await flushPromises();
    expect((box.element as HTMLInputElement).value).toBe('6!');
    await wrapper.get('form.expression').trigger('submit');
    await flushPromises();
    expect(client?.sent.map(({ operationName }) => operationName)).toEqual([
      'Factorial',
      'Power',
      'Factorial',
      'Factorial',
    ]);

    // What the user types is theirs: the form follows the box, never the other way round.
    await box.setValue('2^');
    expect((box.element as HTMLInputElement).value).toBe('2^');
    await box.setValue('2^1');
    expect((box.element as HTMLInputElement).value).toBe('2^1');
    wrapper.unmount();
  });

  it('ignores a second submit of the calculation already running; another one replaces it', async () => {
    const wrapper = mountPanel({ Fibonacci: () => 'hang' });
    const box = wrapper.get('input[name="expression"]');
    await box.setValue('F(4500000)');
    await wrapper.get('form.expression').trigger('submit');
    await flushPromises();
    await wrapper.get('form.expression').trigger('submit'); // Enter pressed twice
    await wrapper.get('form.calculation-form').trigger('submit');
    await flushPromises();

    expect(client?.sent).toHaveLength(1);
    expect(client?.sent[0]?.signal?.aborted).toBe(false);
    expect(wrapper.find('progress').exists()).toBe(true);
    expect(wrapper.get('[role="alert"]').text()).toBe('');

    await box.setValue('F(4500001)');
    await wrapper.get('form.expression').trigger('submit');
    await flushPromises();
    expect(client?.sent.map(({ variables }) => variables)).toEqual([
      { n: 4500000 },
      { n: 4500001 },
    ]);
    expect(client?.sent[0]?.signal?.aborted).toBe(true);
    expect(client?.sent[1]?.signal?.aborted).toBe(false);
    wrapper.unmount();
  });

  it('does not send again a calculation just answered when Enter is pressed twice; later, or another one, it does', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const wrapper = mountPanel(
      { Factorial: () => ({ data: { factorial: calculation() } }) },
      { doubleSubmitMs: 1_000 },
    );
    try {
      await wrapper.get('input[name="expression"]').setValue('5!');
      await wrapper.get('form.expression').trigger('submit');
      await flushPromises(); // answered before the second press
      expect(wrapper.get('.calculation-result').text()).toContain('120');
      vi.advanceTimersByTime(200);
      await wrapper.get('form.expression').trigger('submit');
      await flushPromises();
      expect(client?.sent).toHaveLength(1);
      expect(wrapper.get('.calculation-result').text()).toContain('120');

      // Asked again once the moment has passed, it is computed again (a new log), as before.
      vi.advanceTimersByTime(1_000);
      await wrapper.get('form.expression').trigger('submit');
      await flushPromises();
      expect(client?.sent).toHaveLength(2);
      // Another calculation at once is sent.
      await wrapper.get('input[name="expression"]').setValue('6!');
      await wrapper.get('form.expression').trigger('submit');
      await flushPromises();
      expect(client?.sent.map(({ variables }) => variables)).toEqual([
        { n: 5 },
        { n: 5 },
        { n: 6 },
      ]);
    } finally {
      wrapper.unmount();
      vi.useRealTimers();
    }
  });

  it('takes the last answer away when a request is refused before it is sent', async () => {
    const wrapper = mountPanel({ Factorial: () => ({ data: { factorial: calculation() } }) });
    await typeN(wrapper, '5');
    await wrapper.get('form.calculation-form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('.answer').exists()).toBe(true);

    await typeN(wrapper, '');
    await wrapper.get('form.calculation-form').trigger('submit');
    await flushPromises();
    expect(wrapper.get('.field-error').text()).toBe('Enter n.');
    expect(wrapper.find('.answer').exists()).toBe(false);

    await typeN(wrapper, '5');
    await wrapper.get('form.calculation-form').trigger('submit');
    await flushPromises();
    await wrapper.get('input[name="expression"]').setValue('2 + 2');
    await wrapper.get('form.expression').trigger('submit');
    await flushPromises();
    expect(wrapper.find('.answer').exists()).toBe(false);
    expect(client?.sent).toHaveLength(2);
    wrapper.unmount();
  });

  it('says a refused expression aloud on Enter, every time, as the argument errors are', async () => {
    const wrapper = mountPanel({});
    const box = wrapper.get('input[name="expression"]');
    const liveRegion = () => wrapper.get('[aria-live="polite"]');
    await box.setValue('abc');
    for (let press = 0; press < 2; press += 1) {
      await wrapper.get('form.expression').trigger('submit');
      await flushPromises();
      const error = wrapper.get('.expression .field-error').text();
      expect(error).toMatch(/^Write n! for a factorial/);
      // Spoken by a live region (the box already has focus: nothing else would say it).
      expect(liveRegion().text()).toBe(error);
    }
    expect(box.attributes('aria-invalid')).toBe('true');
    wrapper.unmount();
  });

  it('judges the expression when it is submitted or left, not at each keystroke', async () => {
    const wrapper = mountPanel({});
    const box = wrapper.get('input[name="expression"]');
    for (const typed of ['2', '2^', '2^-']) {
      await box.trigger('focus');
      await box.setValue(typed);
      expect(box.attributes('aria-invalid'), typed).toBeUndefined();
      expect(wrapper.find('.expression .field-error').exists(), typed).toBe(false);
    }
    await box.trigger('blur');
    expect(box.attributes('aria-invalid')).toBe('true');

    // Once shown, the error stays while the box is still wrong, and goes once it is right.
    await box.trigger('focus');
    await box.setValue('2^-3^');
    expect(box.attributes('aria-invalid')).toBe('true');
    await box.setValue('2^-3');
    expect(box.attributes('aria-invalid')).toBeUndefined();
    expect((wrapper.get('input[name="exponent"]').element as HTMLInputElement).value).toBe('-3');
    wrapper.unmount();
  });

  it('asks for a missing argument on submit and focuses it', async () => {
    const wrapper = mountPanel({});
    await wrapper.get('form.calculation-form').trigger('submit');
    await waitFor(() => expect(document.activeElement?.getAttribute('name')).toBe('n'));
    expect(wrapper.get('.field-error').text()).toBe('Enter n.');
    expect(client?.sent).toEqual([]);
    wrapper.unmount();
  });
  it('sends each calculation with a new Idempotency-Key, and the same one again after a lost connection', async () => {
    let connectionFails = false;
    const wrapper = mountPanel({
      Factorial: () => {
        if (connectionFails) throw new TypeError('Failed to fetch');
        return { data: { factorial: calculation() } };
      },
    });
    const submit = async () => {
      await wrapper.get('form.calculation-form').trigger('submit');
      await flushPromises();
    };
    await typeN(wrapper, '5');
    await submit();
    await submit();
    connectionFails = true;
    await submit(); // lost: it may have been answered and logged
    expect(wrapper.text()).toContain('could not be reached');
    connectionFails = false;
    await submit(); // sent again by the user: the same calculation, with its key
    await submit(); // answered before: a new calculation
    await typeN(wrapper, '6');
    connectionFails = true;
    await submit();
    connectionFails = false;
    await typeN(wrapper, '5');
    await submit(); // another calculation than the one in doubt

    const keys = client?.sent.map(({ idempotencyKey }) => idempotencyKey) ?? [];
    expect(keys).toHaveLength(7);
    for (const key of keys)
      expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const [answered, again, lost, resent, later, lostSix, five] = keys;
    expect(resent).toBe(lost);
    expect(new Set([answered, again, lost, later, lostSix, five]).size).toBe(6);
    wrapper.unmount();
  });

  describe('after the server could not be reached, once the connection is back', () => {
    /** The panel beside a live connection whose reconnections the test makes (`reconnect`). */
    function mountBesideConnection(responders: Record<string, Responder>, resendDelaysMs = [0]) {
      client = createTestGraphQLClient(responders);
      const reconnected: Array<() => void> = [];
      const live = {
        ...client.live,
        onReconnect: (listener: () => void) => {
          reconnected.push(listener);
          return () => {};
        },
      };
      const wrapper = mount(CalculatorPanel, {
        props: { resendDelaysMs: resendDelaysMs.slice(1) },
        global: { provide: { ...provideFor(client), [LiveConnectionKey]: live } },
        attachTo: document.body,
      });
      const reconnect = async () => {
        for (const listener of reconnected) listener();
        await flushPromises();
      };
      return { wrapper, reconnect };
    }
    /** The router away behind the web app, as its server answers for it. */
    const routerAway = () => ({
      status: 502,
      errors: [{ message: 'The router is not reachable' }],
    });

    it('computes the lost calculation again, with its key, and shows its answer', async () => {
      let away = true;
      const { wrapper, reconnect } = mountBesideConnection({
        Factorial: () => (away ? routerAway() : { data: { factorial: calculation() } }),
      });
      await typeN(wrapper, '5');
      await wrapper.get('form.calculation-form').trigger('submit');
      await flushPromises();
      expect(wrapper.get('.status-line').text()).toBe(`Error: ${UNREACHABLE_MESSAGE}`);

      away = false;
      await reconnect();
      expect(wrapper.get('.status-line').text()).toBe('');
      expect(wrapper.text()).toContain('120');
      const keys = client?.sent.map(({ idempotencyKey }) => idempotencyKey) ?? [];
      expect(keys).toEqual([keys[0], keys[0]]);
      // Answered: a later reconnection sends nothing.
      await reconnect();
      expect(client?.sent).toHaveLength(2);
      wrapper.unmount();
    });

    it('only once: a resend that fails as well stays on screen until the user acts', async () => {
      const { wrapper, reconnect } = mountBesideConnection({ Factorial: routerAway });
      await typeN(wrapper, '5');
      await wrapper.get('form.calculation-form').trigger('submit');
      await flushPromises();

      await reconnect();
      expect(client?.sent).toHaveLength(2);
      expect(wrapper.get('.status-line').text()).toBe(`Error: ${UNREACHABLE_MESSAGE}`);
      await reconnect();
      expect(client?.sent).toHaveLength(2);
      expect(wrapper.get('.status-line').text()).toBe(`Error: ${UNREACHABLE_MESSAGE}`);
      wrapper.unmount();
    });

    it('not when the inputs were changed while it was being sent: the failure is the calculation sent', async () => {
      // Its one pause before sending it again is when the user types 7 without pressing Compute.
      const { wrapper, reconnect } = mountBesideConnection(
        {
          Factorial: () => {
            throw new TypeError('Failed to fetch');
          },
        },
        [0, 100],
      );
      await typeN(wrapper, '5');
      await wrapper.get('form.calculation-form').trigger('submit');
      await waitFor(() => expect(client?.sent).toHaveLength(1));
      await typeN(wrapper, '7');
      await waitFor(() => expect(wrapper.text()).toContain('could not be reached'));

      await reconnect();
      expect(client?.sent.map(({ variables }) => variables)).toEqual([{ n: 5 }, { n: 5 }]);
      expect(wrapper.get('.status-line').text()).toBe('');
      wrapper.unmount();
    });

    it('not when the inputs were changed meanwhile: the stale message goes, nothing is sent', async () => {
      const { wrapper, reconnect } = mountBesideConnection({ Factorial: routerAway });
      await typeN(wrapper, '5');
      await wrapper.get('form.calculation-form').trigger('submit');
      await flushPromises();
      await typeN(wrapper, '6');

      await reconnect();
      expect(client?.sent).toHaveLength(1);
      expect(wrapper.get('.status-line').text()).toBe('');
      wrapper.unmount();
    });
  });

  describe('sends a calculation again by itself when its connection failed', () => {
    const lostConnection = () => {
      throw new TypeError('Failed to fetch');
    };

    it('with the same Idempotency-Key, saying so, and shows the answer of the attempt that got through', async () => {
      let attempts = 0;
      let seenNote = '';
      const wrapper = mountPanel(
        {
          Factorial: () => {
            attempts += 1;
            if (attempts === 3) seenNote = wrapper.get('.resend-note').text();
            if (attempts < 3) lostConnection();
            return { data: { factorial: calculation() } };
          },
        },
        { resendDelaysMs: [1, 1, 1] },
      );
      await typeN(wrapper, '5');
      await wrapper.get('form.calculation-form').trigger('submit');
      await waitFor(() => expect(wrapper.text()).toContain('120'));

      const keys = client?.sent.map(({ idempotencyKey }) => idempotencyKey) ?? [];
      expect(keys).toHaveLength(3);
      expect(new Set(keys).size).toBe(1);
      expect(seenNote).toBe('Connection lost; sending it again (2 of 3)');
      expect(wrapper.find('[role="alert"] p').exists()).toBe(false);
      expect(wrapper.find('.resend-note').exists()).toBe(false);
      wrapper.unmount();
    });

    it('as many times as it has pauses, then says the server could not be reached', async () => {
      const wrapper = mountPanel({ Factorial: lostConnection }, { resendDelaysMs: [1, 1] });
      await typeN(wrapper, '5');
      await wrapper.get('form.calculation-form').trigger('submit');
      await waitFor(() => expect(wrapper.text()).toContain('could not be reached'));

      expect(client?.sent).toHaveLength(3);
      expect(new Set(client?.sent.map(({ idempotencyKey }) => idempotencyKey)).size).toBe(1);
      wrapper.unmount();
    });

    it('never after an answer from the router, even an error', async () => {
      const wrapper = mountPanel(
        {
          Factorial: () => ({
            errors: [{ message: 'Too many requests', extensions: { code: 'RATE_LIMITED' } }],
          }),
        },
        { resendDelaysMs: [1, 1] },
      );
      await typeN(wrapper, '5');
      await wrapper.get('form.calculation-form').trigger('submit');
      await waitFor(() => expect(wrapper.find('[role="alert"] p').exists()).toBe(true));

      expect(client?.sent).toHaveLength(1);
      wrapper.unmount();
    });

    it('keeps the key in doubt while it waits: sent again by hand meanwhile, it has the same key', async () => {
      let attempts = 0;
      const wrapper = mountPanel(
        {
          Factorial: () => {
            attempts += 1;
            if (attempts === 1) lostConnection();
            return { data: { factorial: calculation() } };
          },
        },
        { resendDelaysMs: [60_000] },
      );
      await typeN(wrapper, '5');
      await wrapper.get('form.calculation-form').trigger('submit');
      await waitFor(() => expect(wrapper.find('.resend-note').exists()).toBe(true));
      await wrapper.get('form.calculation-form').trigger('submit');
      await waitFor(() => expect(wrapper.text()).toContain('120'));

      const keys = client?.sent.map(({ idempotencyKey }) => idempotencyKey) ?? [];
      expect(keys).toHaveLength(2);
      expect(keys[1]).toBe(keys[0]);
      wrapper.unmount();
    });

    it('not once cancelled while it waits to resend, and keeps the key for a later send', async () => {
      let lost = true;
      const wrapper = mountPanel(
        {
          Factorial: () => {
            if (lost) lostConnection();
            return { data: { factorial: calculation() } };
          },
        },
        { resendDelaysMs: [1_000] },
      );
      await typeN(wrapper, '5');
      await wrapper.get('form.calculation-form').trigger('submit');
      await waitFor(() => expect(wrapper.find('.resend-note').exists()).toBe(true));
      const cancel = wrapper.findAll('button').find((button) => button.text().startsWith('Cancel'));
      await cancel?.trigger('click');
      await flushPromises();

      expect(wrapper.get('[role="alert"]').text()).toBe('Cancelled: 5! was not computed.');
      expect(wrapper.find('progress').exists()).toBe(false);
      // Past the 1 s pause: a resend the cancellation missed would have gone by now.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(client?.sent).toHaveLength(1);
      lost = false;
      await wrapper.get('form.calculation-form').trigger('submit');
      await waitFor(() => expect(wrapper.text()).toContain('120'));
      const keys = client?.sent.map(({ idempotencyKey }) => idempotencyKey) ?? [];
      expect(keys).toEqual([keys[0], keys[0]]);
      wrapper.unmount();
    });
  });

  describe('after the session ended', () => {
    /** The signed-in page as App shows it, with the app's resume points (main.ts). */
    function signedInPage(
      responders: Record<string, Responder>,
      existing?: { client: TestGraphQLClient; points: ReturnType<typeof createResumePoints> },
    ) {
      client = existing?.client ?? createTestGraphQLClient(responders);
      const points =
        existing?.points ??
        createResumePoints({ session: client.session, storage: window.sessionStorage });
      const wrapper = mount(CalculatorPanel, {
        props: { resendDelaysMs: [], doubleSubmitMs: 0 },
        global: { provide: { ...provideFor(client), [ResumePointsKey]: points } },
        attachTo: document.body,
      });
      return { wrapper, client, points };
    }

    /** As the app ends a session: the signed-in page goes first, then the address is cleared. */
    async function endSession(
      { wrapper, client: ending }: ReturnType<typeof signedInPage>,
      how: () => Promise<void>,
    ) {
      wrapper.unmount();
      await how();
      window.history.replaceState(null, '', '/');
      expect(ending.session.current.value).toBeNull();
    }

    function signIn(page: ReturnType<typeof signedInPage>, user: { id: string; username: string }) {
      page.client.session.start({
        token: `token-${user.id}-${Date.now()}`,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        user,
      });
      return signedInPage({}, page);
    }

    const ada = { id: 'u1', username: 'ada' };
    const grace = { id: 'u2', username: 'grace' };
    type Page = ReturnType<typeof signedInPage>['wrapper'];
    const valueOf = (wrapper: Page, name: string) =>
      (wrapper.get(`input[name="${name}"]`).element as HTMLInputElement).value;
    const checked = (wrapper: Page) =>
      (wrapper.get('input[name="operation"]:checked').element as HTMLInputElement).value;

    /** Computes 5!, then types 2 ^ 1000 in the box without sending it. */
    async function computeThenType(wrapper: Page) {
      const box = wrapper.get('input[name="expression"]');
      await box.setValue('5!');
      await wrapper.get('form.expression').trigger('submit');
      await flushPromises();
      expect(window.location.search).toBe('?op=factorial&n=5');
      await box.trigger('focus');
      await box.setValue('2 ^ 1000');
    }

    const answers = { Factorial: () => ({ data: { factorial: calculation() } }) };

    it.each([
      ['expired', EXPIRED_MESSAGE],
      ['was refused', REFUSED_MESSAGE],
    ])(
      'once it %s, the same user signing in again is back at its address, with what they typed and had not sent',
      async (_case, notice) => {
        const page = signedInPage(answers);
        await computeThenType(page.wrapper);
        await endSession(page, () => page.client.session.end(notice));
        expect(window.location.search).toBe('');

        const again = signIn(page, ada);
        await flushPromises();
        const { wrapper } = again;
        expect(window.location.search).toBe('?op=factorial&n=5');
        expect(wrapper.get('.calculation-result h3').text()).toBe('5!');
        expect(valueOf(wrapper, 'expression')).toBe('2 ^ 1000');
        expect(checked(wrapper)).toBe('POWER');
        expect(valueOf(wrapper, 'base')).toBe('2');
        expect(valueOf(wrapper, 'exponent')).toBe('1000');
        // The address's calculation computed again, as on a reload; the typed one not sent.
        expect(again.client.sent.map(({ operationName }) => operationName)).toEqual([
          'Factorial',
          'Factorial',
        ]);
        wrapper.unmount();
      },
    );

    it('is back at its address even after Back and Forward on the sign-in page', async () => {
      const page = signedInPage(answers);
      await page.wrapper.get('input[name="expression"]').setValue('6!');
      await page.wrapper.get('form.expression').trigger('submit');
      await flushPromises();
      await computeThenType(page.wrapper);
      await endSession(page, () => page.client.session.end(EXPIRED_MESSAGE));
      const popped = new Promise((resolve) =>
        window.addEventListener('popstate', resolve, { once: true }),
      );
      window.history.back(); // on the sign-in page: to 6!
      await popped;
      expect(window.location.search).toBe('?op=factorial&n=6');

      const again = signIn(page, ada);
      await flushPromises();
      expect(window.location.search).toBe('?op=factorial&n=5');
      expect(valueOf(again.wrapper, 'expression')).toBe('2 ^ 1000');
      again.wrapper.unmount();
    });

    it('leaves a link opened since to what it asks, not the page before', async () => {
      const page = signedInPage({
        ...answers,
        Fibonacci: () => ({
          data: { fibonacci: calculation({ operation: 'FIBONACCI', input: '{"n":10}' }) },
        }),
      });
      await computeThenType(page.wrapper);
      await endSession(page, () => page.client.session.end(EXPIRED_MESSAGE));
      window.history.replaceState(null, '', '/?op=fibonacci&n=10');

      const again = signIn(page, ada);
      await flushPromises();
      expect(window.location.search).toBe('?op=fibonacci&n=10');
      expect(valueOf(again.wrapper, 'expression')).toBe('F(10)');
      expect(again.wrapper.get('.calculation-result h3').text()).toBe('F(10)');
      again.wrapper.unmount();
    });

    it('gives none of it to another user signing in, and forgets it then', async () => {
      const page = signedInPage(answers);
      await computeThenType(page.wrapper);
      await endSession(page, () => page.client.session.end(EXPIRED_MESSAGE));

      const other = signIn(page, grace);
      await flushPromises();
      expect(window.location.search).toBe('');
      expect(valueOf(other.wrapper, 'expression')).toBe('');
      expect(checked(other.wrapper)).toBe('FACTORIAL');
      expect(other.wrapper.find('.calculation-result').exists()).toBe(false);
      await endSession(other, () => other.client.session.signOut());

      const back = signIn(page, ada);
      await flushPromises();
      expect(window.location.search).toBe('');
      expect(valueOf(back.wrapper, 'expression')).toBe('');
      back.wrapper.unmount();
    });

    it("does not show or compute the previous user's steps that Back reaches", async () => {
      const page = signedInPage(answers);
      await computeThenType(page.wrapper);
      await page.wrapper.get('input[name="expression"]').setValue('6!');
      await page.wrapper.get('form.expression').trigger('submit');
      await flushPromises();
      await endSession(page, () => page.client.session.signOut());

      const other = signIn(page, grace);
      await flushPromises();
      const sentBefore = other.client.sent.length;
      const popped = new Promise((resolve) =>
        window.addEventListener('popstate', resolve, { once: true }),
      );
      window.history.back();
      await popped;
      await flushPromises();
      expect(window.location.search).toBe('');
      expect(valueOf(other.wrapper, 'expression')).toBe('');
      expect(other.wrapper.find('.calculation-result').exists()).toBe(false);
      expect(other.client.sent.length).toBe(sentBefore);
      other.wrapper.unmount();
    });

    it('keeps nothing after the user signs out', async () => {
      const page = signedInPage(answers);
      await computeThenType(page.wrapper);
      await endSession(page, () => page.client.session.signOut());

      const again = signIn(page, ada);
      await flushPromises();
      expect(window.location.search).toBe('');
      expect(valueOf(again.wrapper, 'expression')).toBe('');
      again.wrapper.unmount();
    });
  });

  describe('Back and Forward', () => {
    /**
     * Answers 5!, (1/2)^2 (echoed canonical, as 0.5²) and F(10), each request with its own log
     * and timing, so an answer shown again can be told from one computed again.
     */
    function answering(refuse: { power?: boolean } = {}): Record<string, Responder> {
      let requests = 0;
      const answer = (field: string, fields: Record<string, unknown>) => {
        requests += 1;
        return {
          data: {
            [field]: calculation({
              ...fields,
              durationMs: requests,
              log: requestLog({ id: `log-${requests}` }),
            }),
          },
        };
      };
      return {
        Factorial: () => answer('factorial', {}),
        Power: () =>
          refuse.power
            ? refusal('power', 'The result would have too many digits', {
                code: 'RESULT_TOO_LARGE',
              })
            : answer('power', {
                operation: 'POWER',
                input: '{"base":"0.5","exponent":"2"}',
                result: '0.25',
                digits: 2,
              }),
        Fibonacci: () =>
          answer('fibonacci', {
            operation: 'FIBONACCI',
            input: '{"n":10}',
            result: '55',
            digits: 2,
          }),
      };
    }

    type Panel = ReturnType<typeof mountPanel>;
    const box = (wrapper: Panel) => wrapper.get('input[name="expression"]');
    const title = (wrapper: Panel) => wrapper.get('.calculation-result h3').text();
    const facts = (wrapper: Panel) => wrapper.get('.calculation-result .facts').text();
    const liveRegion = (wrapper: Panel) => wrapper.get('[aria-live="polite"]').text();
    const sentCount = () => client?.sent.length ?? 0;

    async function computeExpression(wrapper: Panel, typed: string) {
      await box(wrapper).setValue(typed);
      await wrapper.get('form.expression').trigger('submit');
      await flushPromises();
    }

    /** What the page showed and said for one step, to see it again the same. */
    function seen(wrapper: Panel) {
      const answered = wrapper.find('.calculation-result').exists();
      const note = wrapper.find('.answer .again-note');
      return {
        search: window.location.search,
        box: (box(wrapper).element as HTMLInputElement).value,
        title: answered ? title(wrapper) : null,
        facts: answered ? facts(wrapper) : null,
        said: liveRegion(wrapper),
        note: note.exists() ? note.text() : null,
      };
    }

    const SHOWN_AGAIN = 'Shown again from this tab, not computed again';
    /**
     * A step computed before, as Back or Forward shows it again: the same answer, title and time,
     * said as then, with a note on screen and said after it that it was not computed again.
     */
    function shownAgain(step: ReturnType<typeof seen> | undefined) {
      if (!step) throw new Error('No such step');
      expect(step.note).toBeNull(); // a fresh answer has no such note
      return { ...step, said: `${step.said} ${SHOWN_AGAIN}.`, note: SHOWN_AGAIN };
    }

    async function computeThree(wrapper: Panel) {
      const steps = [];
      for (const typed of ['5!', '(1/2)^2', 'F(10)']) {
        await computeExpression(wrapper, typed);
        steps.push(seen(wrapper));
      }
      return steps;
    }

    async function go(direction: 'back' | 'forward') {
      window.history[direction]();
      await flushPromises();
    }

    it('Back to the address before the first calculation shows the empty form, without an answer; Forward shows it again', async () => {
      const wrapper = mountPanel({ ...answering(), Fibonacci: () => 'hang' });
      await computeExpression(wrapper, '5!');
      const factorial = seen(wrapper);
      await wrapper.get('input[value="POWER"]').setValue(true);
      await wrapper.get('input[name="base"]').setValue('3');

      await go('back');
      expect(window.location.search).toBe('');
      expect(wrapper.find('.answer').exists()).toBe(false);
      expect(box(wrapper).element).toHaveProperty('value', '');
      expect(wrapper.get('input[name="operation"]:checked').element).toHaveProperty(
        'value',
        'FACTORIAL',
      );
      expect(wrapper.get('input[name="n"]').element).toHaveProperty('value', '');
      expect(wrapper.find('.field-error').exists()).toBe(false);
      expect(wrapper.find('.link-notice').exists()).toBe(false);

      await go('forward');
      expect(seen(wrapper)).toEqual(shownAgain(factorial));

      // A calculation on its way is for the step left: it is cancelled, and says nothing.
      await go('back');
      await computeExpression(wrapper, 'F(10)');
      expect(wrapper.find('.progress').exists()).toBe(true);
      const fibonacci = client?.sent.at(-1);
      await go('back');
      expect(window.location.search).toBe('');
      expect(fibonacci?.signal?.aborted).toBe(true);
      expect(wrapper.find('.progress').exists()).toBe(false);
      expect(wrapper.find('.answer').exists()).toBe(false);
      expect(wrapper.get('[role="alert"]').text()).toBe('');
      expect(sentCount()).toBe(2);
      wrapper.unmount();
    });

    it('Back to an address naming an unknown operation says so again, over the empty default form', async () => {
      window.history.replaceState(null, '', '/?op=evil');
      const wrapper = mountPanel(answering());
      const notice = () => wrapper.find('.link-notice');
      await flushPromises();
      expect(notice().text()).toContain('“evil”');
      await computeExpression(wrapper, '(1/2)^2');
      expect(notice().exists()).toBe(false);

      await go('back');
      expect(window.location.search).toBe('?op=evil');
      expect(notice().text()).toContain('“evil”');
      expect(notice().text()).toContain('Factorial form');
      expect(wrapper.find('.answer').exists()).toBe(false);
      expect(box(wrapper).element).toHaveProperty('value', '');
      wrapper.unmount();
    });

    it('Back shows the answer the step was given, without a request', async () => {
      const wrapper = mountPanel(answering());
      const [factorial, power] = await computeThree(wrapper);
      expect(power?.title).toBe('(1/2)²');
      expect(sentCount()).toBe(3);

      await go('back');
      expect(seen(wrapper)).toEqual(shownAgain(power));
      await go('back');
      expect(seen(wrapper)).toEqual(shownAgain(factorial));
      expect(wrapper.get('[role="alert"]').text()).toBe('');
      expect(sentCount()).toBe(3);
      wrapper.unmount();
    });

    it('notes on screen and aloud that an answer shown again was not computed again; a new one has no note', async () => {
      const wrapper = mountPanel({ ...answering(), Fibonacci: () => 'hang' });
      await computeExpression(wrapper, '5!');
      await computeExpression(wrapper, '(1/2)^2');
      const note = () => wrapper.find('.answer .again-note');
      expect(note().exists()).toBe(false);

      await go('back');
      expect(note().text()).toBe('Shown again from this tab, not computed again');
      expect(liveRegion(wrapper)).toBe(
        '5 factorial: 3 digits, exact, computed in 1.00 ms. Shown again from this tab, not computed again.',
      );
      // Computed anew on its step: while it runs the answer is the previous one, so says the
      // stale note alone; the new answer has no note.
      await wrapper.get('form.calculation-form').trigger('submit');
      await wrapper.vm.$nextTick();
      expect(wrapper.find('.stale-note').exists()).toBe(true);
      expect(note().exists()).toBe(false);
      await flushPromises();
      expect(facts(wrapper)).toContain('3.00 ms');
      expect(note().exists()).toBe(false);
      expect(liveRegion(wrapper)).toBe('5 factorial: 3 digits, exact, computed in 3.00 ms.');

      // Shown again, then another calculation still on its way: the stale note, not this one.
      await go('forward');
      expect(note().exists()).toBe(true);
      await computeExpression(wrapper, 'F(10)');
      expect(wrapper.find('.stale-note').exists()).toBe(true);
      expect(note().exists()).toBe(false);
      wrapper.unmount();
    });

    it('Forward likewise, each answer said again as when it came', async () => {
      const wrapper = mountPanel(answering());
      const [, power, fibonacci] = await computeThree(wrapper);
      await go('back');
      await go('back');

      await go('forward');
      expect(seen(wrapper)).toEqual(shownAgain(power));
      // Said by emptying the live region first, so that the same words are heard again.
      window.history.back();
      await wrapper.vm.$nextTick();
      expect(liveRegion(wrapper)).toBe('');
      await flushPromises();
      await go('forward');
      await go('forward');
      expect(seen(wrapper)).toEqual(shownAgain(fibonacci));
      expect(sentCount()).toBe(3);
      wrapper.unmount();
    });

    it('Run again from a log computes again; Back and Forward around it send nothing', async () => {
      const wrapper = mountPanel(answering());
      const [factorial, power] = await computeThree(wrapper);
      await go('back');
      expect(sentCount()).toBe(3);
      // Run again at the very address this step's held answer was shown at: a new entry, with
      // no id yet, so nothing held is shown (runAgain's event carries no mark of its own).
      expect(window.location.search).toBe(power?.search);

      runAgain('POWER', '{"base":"1/2","exponent":"2"}');
      await flushPromises();
      expect(window.location.search).toBe(power?.search);
      expect(client?.sent.map(({ operationName }) => operationName)).toEqual([
        'Factorial',
        'Power',
        'Fibonacci',
        'Power',
      ]);
      const again = seen(wrapper);
      expect(again.title).toBe('(1/2)²');
      expect(again.facts).not.toBe(power?.facts); // its own answer, not the one held

      await go('back');
      expect(seen(wrapper)).toEqual(shownAgain(power));
      await go('forward');
      expect(seen(wrapper)).toEqual(shownAgain(again));
      expect(factorial).toBeDefined();
      expect(sentCount()).toBe(4);
      wrapper.unmount();
    });

    it('Run again takes keyboard focus to the box, which holds the calculation run; Back and Forward leave it be', async () => {
      const wrapper = mountPanel(answering());
      await computeExpression(wrapper, '5!');
      // The log's Run again button, far below the calculator.
      const logButton = document.body.appendChild(document.createElement('button'));
      try {
        logButton.focus();
        runAgain('FIBONACCI', '{"n":10}');
        await flushPromises();
        expect(document.activeElement).toBe(box(wrapper).element);
        expect(box(wrapper).element).toHaveProperty('value', 'F(10)');
        expect(title(wrapper)).toBe('F(10)');

        logButton.focus();
        await go('back');
        expect(title(wrapper)).toBe('5!');
        expect(document.activeElement).toBe(logButton);
      } finally {
        logButton.remove();
        wrapper.unmount();
      }
    });

    it('keeps the caret of the field being typed in where it was when Back rewrites it; a field that goes hands focus to the box', async () => {
      const wrapper = mountPanel(answering());
      await computeExpression(wrapper, '5!');
      await typeN(wrapper, '12');
      await wrapper.get('form.calculation-form').trigger('submit');
      await flushPromises();
      const n = wrapper.get('input[name="n"]').element as HTMLInputElement;
      n.focus();
      n.setSelectionRange(0, 0);

      await go('back');
      expect(n.value).toBe('5');
      expect(document.activeElement).toBe(n);
      expect([n.selectionStart, n.selectionEnd]).toEqual([0, 0]);

      // The box, with a selection, likewise.
      const expression = box(wrapper).element as HTMLInputElement;
      expression.focus();
      expression.setSelectionRange(0, 1);
      await go('forward');
      expect(expression.value).toBe('12!');
      expect([expression.selectionStart, expression.selectionEnd]).toEqual([0, 1]);

      // A caret at the end, where typing goes on, stays at the end of a longer value (found in
      // Chromium: Back from "9!" to "12345!" left it between "12" and "345").
      await computeExpression(wrapper, '9!');
      expression.focus();
      expression.setSelectionRange(2, 2);
      await go('back');
      expect(expression.value).toBe('12!');
      expect([expression.selectionStart, expression.selectionEnd]).toEqual([3, 3]);

      await computeExpression(wrapper, '(1/2)^2');
      const exponent = wrapper.get('input[name="exponent"]').element as HTMLInputElement;
      exponent.focus();
      await go('back');
      expect(wrapper.find('input[name="exponent"]').exists()).toBe(false);
      expect(document.activeElement).toBe(expression);
      expect(expression.selectionStart).toBe('12!'.length);
      wrapper.unmount();
    });

    it('computes again a step whose request was refused, not the answered ones', async () => {
      const refuse = { power: true };
      const wrapper = mountPanel(answering(refuse));
      const [factorial] = await computeThree(wrapper);
      expect(sentCount()).toBe(3);

      refuse.power = false;
      await go('back');
      expect(client?.sent.map(({ operationName }) => operationName)).toEqual([
        'Factorial',
        'Power',
        'Fibonacci',
        'Power',
      ]);
      expect(title(wrapper)).toBe('(1/2)²');
      await go('back');
      expect(seen(wrapper)).toEqual(shownAgain(factorial));
      expect(sentCount()).toBe(4);
      wrapper.unmount();
    });

    it('during a rate-limit wait, shows an answered step; Compute still waits', async () => {
      vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
      let limited = false;
      const wrapper = mountPanel({
        ...answering(),
        Fibonacci: () =>
          limited
            ? refusal('fibonacci', 'Too many requests; try again in 30 s', {
                code: 'RATE_LIMITED',
                retryAfterSeconds: 30,
              })
            : { data: { fibonacci: calculation() } },
      });
      try {
        await computeExpression(wrapper, '5!');
        const factorial = seen(wrapper);
        limited = true;
        await computeExpression(wrapper, 'F(10)');
        expect(wrapper.get('.retry-wait').text()).toBe('Try again in 30 s.');

        await go('back');
        expect(seen(wrapper)).toEqual(shownAgain(factorial));
        expect(wrapper.get('[role="alert"]').text()).toBe('');
        expect(wrapper.get('.retry-wait').text()).toBe('Try again in 30 s.');
        expect(sentCount()).toBe(2);
      } finally {
        wrapper.unmount();
        vi.useRealTimers();
      }
    });

    it('computes again a step whose answer was let go past the bound on characters', async () => {
      const wrapper = mountPanel(answering(), {
        heldAnswersLimits: { maxAnswers: 50, maxCharacters: 6 },
      });
      // 120 (3 characters) goes when 0.25 (4) comes; 0.25 and 55 fit in 6.
      const [factorial, power] = await computeThree(wrapper);
      await go('back');
      expect(seen(wrapper)).toEqual(shownAgain(power));
      expect(sentCount()).toBe(3);
      await go('back');
      expect(sentCount()).toBe(4);
      expect(client?.sent[3]?.operationName).toBe('Factorial');
      expect(seen(wrapper).facts).not.toBe(factorial?.facts); // a new answer
      wrapper.unmount();
    });

    it('holds at most so many answers', async () => {
      const wrapper = mountPanel(answering(), {
        heldAnswersLimits: { maxAnswers: 2, maxCharacters: 8_000_000 },
      });
      await computeThree(wrapper); // 5! goes when F(10) is held
      await go('back');
      expect(sentCount()).toBe(3);
      await go('back');
      expect(sentCount()).toBe(4);
      wrapper.unmount();
    });

    it('a step shown again and another request made on it: the new outcome is what it holds', async () => {
      let refused = false;
      const wrapper = mountPanel({
        ...answering(),
        Factorial: () =>
          refused
            ? {
                data: { factorial: null },
                errors: [{ path: ['factorial'], message: 'No', extensions: { code: 'FORBIDDEN' } }],
              }
            : { data: { factorial: calculation() } },
      });
      await computeExpression(wrapper, '5!');
      await computeExpression(wrapper, 'F(10)');
      await go('back');
      expect(sentCount()).toBe(2);
      refused = true;
      await wrapper.get('form.calculation-form').trigger('submit'); // the same 5!, on its step
      await flushPromises();
      expect(wrapper.get('[role="alert"]').text()).toMatch(/^Refused|^Error/);
      await go('forward');
      await go('back');
      expect(sentCount()).toBe(4); // refused, so computed again
      wrapper.unmount();
    });
  });
});
