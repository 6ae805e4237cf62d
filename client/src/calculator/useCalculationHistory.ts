/**
 * The calculator's steps in the browser's history: each calculation has its own entry, with its
 * address (`?op=factorial&n=100`), the signed-in user it is for (entryUser.ts) and the answer
 * this tab holds for it (heldAnswers.ts), which Back and Forward show again without a request.
 * And where the user was when their session ended (resumePoint.ts).
 */
import { useSession } from '../session/session';
import { entryUserOf, withEntryUser } from './entryUser';
import {
  createHeldAnswers,
  entryIdOf,
  withNewEntryId,
  type HeldAnswer,
  type HeldAnswersLimits,
} from './heldAnswers';
import { useResumePoints, type CalculatorDraft } from './resumePoint';

/** `heldAnswersLimits`: how many answers, of how many characters, Back and Forward show again. */
export function useCalculationHistory(heldAnswersLimits: Readonly<HeldAnswersLimits>) {
  const session = useSession();
  const resumePoints = useResumePoints();
  /** The answers shown, by history entry, for Back and Forward to show again. */
  const heldAnswers = createHeldAnswers(heldAnswersLimits);

  /** `state` marked as the signed-in user's (entryUser.ts). */
  function markedAsUsers(state: unknown): unknown {
    const userId = session.current.value?.user.id;
    return userId === undefined ? state : withEntryUser(state, userId);
  }

  /**
   * Records the request (`search`, its address) in the history: a new entry, unless it is
   * already the current one. Gives the id of the entry, which its answer is held by (one given to
   * the current entry if it had none).
   */
  function rememberInUrl(history: 'push' | 'keep', search: string): string {
    if (history === 'push' && search !== window.location.search) {
      const entry = withNewEntryId(null);
      window.history.pushState(markedAsUsers(entry.state), '', search);
      return entry.id;
    }
    const id = entryIdOf(window.history.state);
    if (id !== undefined) return id;
    const entry = withNewEntryId(window.history.state);
    window.history.replaceState(markedAsUsers(entry.state), '');
    return entry.id;
  }

  /**
   * Makes the current history entry the signed-in user's: one marked as another user's (Back to
   * the previous user's steps) is emptied, so the form shows nothing of theirs and computes none
   * of it. One with no user yet becomes this user's where it is theirs (`unmarked: 'adopt'`: the
   * address the page opened at, a Run again from their log), and is emptied where Back or
   * Forward reached it (every entry the calculator makes is marked).
   */
  function claimEntry(unmarked: 'adopt' | 'empty'): void {
    const userId = session.current.value?.user.id;
    if (userId === undefined) return;
    const owner = entryUserOf(window.history.state);
    if (owner === userId) return;
    if (owner === undefined && unmarked === 'adopt') {
      window.history.replaceState(withEntryUser(window.history.state, userId), '');
    } else {
      window.history.replaceState(withEntryUser(null, userId), '', window.location.pathname);
    }
  }

  /**
   * The answer this tab holds for the current entry, at its address, if any: an entry without
   * an id (a page loaded from a link, Run again) holds nothing.
   */
  /** Keeps `answer` for Back and Forward to show again at `entry`. */
  function holdAnswer(entry: string, answer: HeldAnswer): void {
    heldAnswers.hold(entry, answer);
  }

  /** Back and Forward to `entry` compute it again: what it comes to now is no answer of before. */
  function forgetAnswer(entry: string): void {
    heldAnswers.forget(entry);
  }

  function heldAnswerHere(): HeldAnswer | undefined {
    const entry = entryIdOf(window.history.state);
    return entry === undefined ? undefined : heldAnswers.show(entry, window.location.search);
  }

  /**
   * Back where the user was when their session expired or was refused (resumePoint.ts), if this
   * is the same user signing in again: the address first, so its calculation is restored as on a
   * reload; then what the form and the box held (the draft given back), which may not have been
   * sent.
   */
  function resumeWhereLeft(): CalculatorDraft | undefined {
    const userId = session.current.value?.user.id;
    const point = userId === undefined ? null : (resumePoints?.take(userId) ?? null);
    // The address was emptied as the session ended: one holding a calculation now is a link
    // opened since, the newer wish, if its entry is new (a link opens with no history state). One
    // the calculator made (Back or Forward on the sign-in page) is older than the point.
    const opened = window.location.search !== '' && entryIdOf(window.history.state) === undefined;
    if (point === null || opened) return undefined;
    window.history.replaceState(
      markedAsUsers(null),
      '',
      `${window.location.pathname}${point.search}`,
    );
    return point.draft;
  }

  /**
   * Keeps the address and `draft` (what the form and the box hold) in case the user comes back:
   * the page goes when the session ends.
   */
  function leave(draft: CalculatorDraft): void {
    resumePoints?.leave({ search: window.location.search, draft });
  }

  return {
    rememberInUrl,
    claimEntry,
    holdAnswer,
    forgetAnswer,
    heldAnswerHere,
    resumeWhereLeft,
    leave,
  };
}
