/**
 * Whose calculation a history entry holds. The browser keeps a tab's history across sign-outs:
 * once another user signs in, Back would reach the previous user's addresses and compute them
 * under the new account. Each entry the calculator makes or shows carries, in `history.state`,
 * the id of the user it was made for; an entry of anyone else is shown as the empty form.
 */

/** Where the calculator keeps an entry's user id in `history.state`. */
const USER_KEY = 'calculatorUser';

/** The id of the user the entry whose state is `state` was made for, if it says. */
export function entryUserOf(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const id = (state as Record<string, unknown>)[USER_KEY];
  return typeof id === 'string' ? id : undefined;
}

/** `state` marked as `userId`'s, keeping whatever else it holds. */
export function withEntryUser(state: unknown, userId: string): Record<string, unknown> {
  const others = typeof state === 'object' && state !== null ? state : {};
  return { ...others, [USER_KEY]: userId };
}
