import { describe, expect, it } from 'vitest';
import type { Calculation } from './calculate';
import {
  createHeldAnswers,
  entryIdOf,
  HELD_ANSWERS_LIMITS,
  withNewEntryId,
  type HeldAnswer,
} from './heldAnswers';

function answer(result: string, fraction: string | null = null): HeldAnswer {
  const calculation = {
    operation: 'FACTORIAL',
    input: '{"n":5}',
    result,
    exact: fraction === null,
    fraction,
    digits: result.length,
    cached: false,
    durationMs: 1,
  } as unknown as Calculation;
  return { calculation, typedInput: '{"n":5}', search: '?op=factorial&n=5' };
}
const SEARCH = '?op=factorial&n=5';

describe('answers held for Back and Forward', () => {
  it('gives an entry its answer, only at the address it was shown at', () => {
    const held = createHeldAnswers();
    const five = answer('120');
    held.hold('a', five);
    expect(held.show('a', SEARCH)).toBe(five);
    expect(held.show('a', '?op=factorial&n=6')).toBeUndefined();
    expect(held.show('b', SEARCH)).toBeUndefined();
    held.forget('a');
    expect(held.show('a', SEARCH)).toBeUndefined();
    expect(held.size).toEqual({ answers: 0, characters: 0 });
  });

  it('lets the least recently shown go first, past the count', () => {
    const held = createHeldAnswers({ maxAnswers: 2, maxCharacters: 1_000 });
    held.hold('a', answer('1'));
    held.hold('b', answer('2'));
    held.show('a', SEARCH); // b is now the least recently shown
    held.hold('c', answer('3'));
    expect(held.show('b', SEARCH)).toBeUndefined();
    expect(held.show('a', SEARCH)).toBeDefined();
    expect(held.show('c', SEARCH)).toBeDefined();
  });

  it('counts result and fraction characters, and holds about 8 million-digit answers', () => {
    const held = createHeldAnswers();
    expect(HELD_ANSWERS_LIMITS).toEqual({ maxAnswers: 50, maxCharacters: 8_000_000 });
    held.hold('fraction', answer('0.33333', '1/3'));
    expect(held.size).toEqual({ answers: 1, characters: 10 });
    held.forget('fraction');

    const million = '9'.repeat(1_000_000);
    for (let step = 0; step < 9; step += 1) held.hold(`step-${step}`, answer(million));
    expect(held.size).toEqual({ answers: 8, characters: 8_000_000 });
    expect(held.show('step-0', SEARCH)).toBeUndefined();
    expect(held.show('step-1', SEARCH)).toBeDefined();
  });

  it('never holds one answer over the whole bound', () => {
    const held = createHeldAnswers({ maxAnswers: 50, maxCharacters: 5 });
    held.hold('small', answer('12'));
    held.hold('large', answer('123456'));
    expect(held.show('large', SEARCH)).toBeUndefined();
    expect(held.show('small', SEARCH)).toBeDefined();
  });

  it('keeps the id of an entry in its state, beside what else the state holds', () => {
    expect(entryIdOf(null)).toBeUndefined();
    expect(entryIdOf({ other: 1 })).toBeUndefined();
    const { state, id } = withNewEntryId({ other: 1 });
    expect(state).toEqual({ other: 1, calculatorEntry: id });
    expect(entryIdOf(state)).toBe(id);
    expect(withNewEntryId(null).id).not.toBe(id);
  });
});
