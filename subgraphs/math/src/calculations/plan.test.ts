import { codeOf } from '@microservice-math/shared/errors';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { planCalculation } from './plan.js';

describe('planCalculation', () => {
  it('parses the arguments into the task, with its canonical input and predicted digits', () => {
    const planned = planCalculation({
      operation: 'POWER',
      args: { base: '1.50', exponent: '2e0' },
    });
    expect(planned).toMatchObject({
      ok: true,
      task: { operation: 'POWER', args: { base: { num: 3n, den: 2n }, precision: 50 } },
      input: '{"base":"1.5","exponent":"2"}',
      predictedDigits: { low: 3, high: 3 },
    });
  });

  it('takes an omitted or null precision as the default, named in the input when it matters', () => {
    for (const precision of [undefined, null]) {
      const planned = planCalculation({
        operation: 'POWER',
        args: { base: '2', exponent: '1/2', precision },
      });
      expect(planned).toMatchObject({
        ok: true,
        input: '{"base":"2","exponent":"0.5","precision":50}',
      });
    }
  });

  it('keeps the refusal, naming the argument, and the raw input for the log', () => {
    const planned = planCalculation({ operation: 'POWER', args: { base: 'two', exponent: '2' } });
    expect(planned.ok).toBe(false);
    if (planned.ok) return;
    expect(planned.input).toBe('{"base":"two","exponent":"2"}');
    expect(planned.error).toBeInstanceOf(GraphQLError);
    expect(codeOf(planned.error)).toBe('BAD_USER_INPUT');
    expect((planned.error as GraphQLError).message).toMatch(/^base: /);
  });

  it('refuses out-of-domain arguments with the canonical input', () => {
    const planned = planCalculation({ operation: 'FACTORIAL', args: { n: -1 } });
    expect(planned).toMatchObject({ ok: false, input: '{"n":-1}' });
    if (!planned.ok) expect(codeOf(planned.error)).toBe('BAD_USER_INPUT');
  });

  it('logs a refused power under the input an answered one would have: a null precision is the default', () => {
    const planned = planCalculation({
      operation: 'POWER',
      args: { base: '-8.0', exponent: '1/2', precision: null },
    });
    expect(planned).toMatchObject({
      ok: false,
      input: '{"base":"-8","exponent":"0.5","precision":50}',
    });
    if (!planned.ok) expect((planned.error as GraphQLError).message).toMatch(/^exponent: /);
  });

  it('logs a refused argument even where an answered input would leave it out', () => {
    // precision does not change 2^2, so a valid one is left out of its input; an invalid one
    // is what was refused, and a log without it would read as the valid power(2, 2).
    const planned = planCalculation({
      operation: 'POWER',
      args: { base: '2', exponent: '2', precision: 0 },
    });
    expect(planned).toMatchObject({
      ok: false,
      input: '{"base":"2","exponent":"2","precision":0}',
    });
    if (!planned.ok) expect((planned.error as GraphQLError).message).toMatch(/^precision: /);
  });
});
