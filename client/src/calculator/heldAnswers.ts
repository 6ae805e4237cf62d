/**
 * The answers this tab has shown, by the history entry they were shown on, so that Back and
 * Forward show an entry's answer again instead of sending its calculation again: a new request
 * would add a log row, count against the user's rate limit, and be refused during its wait.
 *
 * Each entry the calculator pushes (or computes on) carries a random id in its `history.state`;
 * ids are random rather than counted because the browser keeps an entry's state across a reload,
 * while what is held here lives in memory only: after a reload, or in another panel (the same
 * user signed in again in this tab), an old entry's id finds nothing and its calculation is
 * computed. Another user's entries are not computed at all (entryUser.ts).
 * Only answers are held: an entry whose last request was refused, failed or was cancelled is
 * computed again.
 */
import { getFragmentData } from '../gql';
import { CalculationResult_CalculationFragmentDoc } from '../gql/graphql';
import type { Calculation } from './calculate';
import { randomKey } from './calculationKeys';

/** Where the calculator keeps an entry's id in `history.state`. */
const ENTRY_KEY = 'calculatorEntry';

/** The id of the history entry whose state is `state`, if the calculator gave it one. */
export function entryIdOf(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const id = (state as Record<string, unknown>)[ENTRY_KEY];
  return typeof id === 'string' ? id : undefined;
}

/** `state` with a new entry id, keeping whatever else it holds. */
export function withNewEntryId(state: unknown): { state: Record<string, unknown>; id: string } {
  const id = randomKey();
  const others = typeof state === 'object' && state !== null ? state : {};
  return { state: { ...others, [ENTRY_KEY]: id }, id };
}

export interface HeldAnswer {
  calculation: Calculation;
  /** The arguments as typed and sent (JSON): the answer is titled by those, as when computed. */
  typedInput: string;
  /** The address it was shown at: an entry showing another calculation never takes it. */
  search: string;
}

/**
 * The bound, on the answers' characters and on their number. Results are strings of up to a
 * million digits (the server refuses larger ones), which V8 keeps at one byte a character: 8
 * million characters is about 8 MB, room for about 8 of the largest answers (7 steps Back through
 * them, and the one on screen), which even a phone can spare; more would be memory spent on
 * steps rarely walked back to. The count bounds the rest, many small answers (a few hundred bytes
 * each with their log): 50 steps of Back is more than anyone walks. Past either bound the answer
 * least recently shown goes first; Back to it then computes it, as before this was held.
 */
export interface HeldAnswersLimits {
  maxAnswers: number;
  maxCharacters: number;
}
export const HELD_ANSWERS_LIMITS: Readonly<HeldAnswersLimits> = {
  maxAnswers: 50,
  maxCharacters: 8_000_000,
};

/** What an answer costs: its result's characters, and its fraction's (`p/q` may be long too). */
export function charactersOf(calculation: Calculation): number {
  const { result, fraction } = getFragmentData(
    CalculationResult_CalculationFragmentDoc,
    calculation,
  );
  return result.length + (fraction?.length ?? 0);
}

export interface HeldAnswers {
  /** Holds the answer shown on entry `id`, as the most recently shown. */
  hold(id: string, answer: HeldAnswer): void;
  /** Entry `id`'s answer if held and shown at `search`, now the most recently shown. */
  show(id: string, search: string): HeldAnswer | undefined;
  /** Entry `id` shows something else now (another request was made on it). */
  forget(id: string): void;
  /** How many answers, and how many characters of them, are held (for tests). */
  readonly size: { answers: number; characters: number };
}

export function createHeldAnswers({
  maxAnswers,
  maxCharacters,
}: HeldAnswersLimits = HELD_ANSWERS_LIMITS): HeldAnswers {
  // A Map iterates in insertion order: an answer shown again is moved to the end, so the first
  // is always the least recently shown.
  const held = new Map<string, { answer: HeldAnswer; characters: number }>();
  let characters = 0;

  function forget(id: string): void {
    const entry = held.get(id);
    if (!entry) return;
    held.delete(id);
    characters -= entry.characters;
  }

  return {
    hold(id, answer) {
      forget(id);
      const cost = charactersOf(answer.calculation);
      // One answer over the whole bound is never held (none is, at the server's limits).
      if (cost > maxCharacters) return;
      while (held.size > 0 && (held.size >= maxAnswers || characters + cost > maxCharacters)) {
        const [oldest] = held.keys();
        forget(oldest as string);
      }
      held.set(id, { answer, characters: cost });
      characters += cost;
    },
    show(id, search) {
      const entry = held.get(id);
      if (!entry || entry.answer.search !== search) return undefined;
      held.delete(id);
      held.set(id, entry);
      return entry.answer;
    },
    forget,
    get size() {
      return { answers: held.size, characters };
    },
  };
}
