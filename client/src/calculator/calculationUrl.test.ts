import { afterEach, describe, expect, it } from 'vitest';
import {
  calculationFromSearch,
  canRunAgain,
  isRunAgain,
  runAgain,
  searchOf,
  unknownOperationIn,
} from './calculationUrl';
import { describeCalculation } from './describeCalculation';
import { entryIdOf } from './heldAnswers';

describe('calculation in the URL', () => {
  it('reads an operation and its arguments, ignoring other parameters', () => {
    expect(calculationFromSearch('?op=factorial&n=100&base=3')).toEqual({
      operation: 'FACTORIAL',
      values: { n: '100' },
    });
  });

  it('reads nothing from an address without a known operation', () => {
    expect(calculationFromSearch('')).toBeNull();
    expect(calculationFromSearch('?op=sqrt&n=2')).toBeNull();
  });

  it('gives back an unknown operation it names, as text to show, shortened and without control characters', () => {
    expect(unknownOperationIn('?op=evil&n=1')).toBe('evil');
    expect(unknownOperationIn('?op=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E')).toBe(
      '<img src=x onerror=alert(1)>',
    );
    expect(unknownOperationIn(`?op=${'x'.repeat(500)}`)).toBe(`${'x'.repeat(40)}…`);
    expect(unknownOperationIn('?op=ab%E2%80%AEcd%0A')).toBe('abcd');
    expect(unknownOperationIn('?op=')).toBe('');
    expect(unknownOperationIn('?op=Factorial&n=1')).toBeNull();
    expect(unknownOperationIn('?n=1')).toBeNull();
    expect(unknownOperationIn('')).toBeNull();
  });

  it('writes what it reads', () => {
    const values = { base: '-8', exponent: '1/3', precision: '', n: '' };
    const search = searchOf('POWER', values);
    expect(search).toBe('?op=power&base=-8&exponent=1%2F3');
    expect(calculationFromSearch(search)).toEqual({
      operation: 'POWER',
      values: { base: '-8', exponent: '1/3' },
    });
  });
});

describe('running a logged calculation again', () => {
  it('can from a whole input', () => {
    expect(canRunAgain('POWER', '{"base":"2","exponent":"0.5","precision":50}')).toBe(true);
    expect(canRunAgain('FACTORIAL', '{"n":100}')).toBe(true);
  });

  it('cannot from an input the log cut to 1,024 characters', () => {
    const cut = `{"base":"${'7'.repeat(1_000)}","exponent":"3`;
    expect(canRunAgain('POWER', cut)).toBe(false);
    expect(describeCalculation('POWER', cut)).toBe('Power (input cut in the log)');
  });
});

describe('Run again', () => {
  afterEach(() => window.history.replaceState(null, '', '/'));

  it('pushes the calculation on a new entry without an id, and says so with a popstate as Back does', () => {
    // The entry it leaves has an id, and an answer held by it (as the calculator gives one).
    window.history.replaceState({ calculatorEntry: 'shown-here' }, '', '?op=factorial&n=5');
    const events: PopStateEvent[] = [];
    const listener = (event: PopStateEvent) => events.push(event);
    window.addEventListener('popstate', listener);
    try {
      runAgain('FACTORIAL', '{"n":5}');
    } finally {
      window.removeEventListener('popstate', listener);
    }
    expect(window.location.search).toBe('?op=factorial&n=5');
    // A new entry, whose id the calculator has yet to give: no answer is held by it.
    expect(entryIdOf(window.history.state)).toBeUndefined();
    // Marked as Run again on the event only (the calculator moves focus for it), not the entry.
    expect(window.history.state).toBeNull();
    expect(events.map(isRunAgain)).toEqual([true]);
    expect(isRunAgain(new PopStateEvent('popstate', { state: null }))).toBe(false);
    window.history.back();
    expect(entryIdOf(window.history.state)).toBe('shown-here');
  });
});
