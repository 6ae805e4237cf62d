/**
 * A calculation in the page's address, so it can be shared, bookmarked and walked with Back and
 * Forward: `?op=factorial&n=100`, `?op=power&base=2&exponent=-3&precision=20`. Reading gives the
 * form's operation and fields; the form's rules then judge them like anything typed.
 */
import type { Operation } from '../gql/graphql';
import { argumentNamesOf, OPERATIONS, type ArgumentValues } from './operations';

const OPERATION_PARAMETER: Readonly<Record<Operation, string>> = {
  POWER: 'power',
  FACTORIAL: 'factorial',
  FIBONACCI: 'fibonacci',
};

export interface CalculationInUrl {
  operation: Operation;
  values: Partial<ArgumentValues>;
}

export function calculationFromSearch(search: string): CalculationInUrl | null {
  const parameters = new URLSearchParams(search);
  const name = parameters.get('op')?.toLowerCase();
  const operation = (Object.keys(OPERATION_PARAMETER) as Operation[]).find(
    (candidate) => OPERATION_PARAMETER[candidate] === name,
  );
  if (!operation) return null;
  const values: Partial<ArgumentValues> = {};
  for (const argument of argumentNamesOf(operation)) {
    const value = parameters.get(argument);
    if (value !== null) values[argument] = value;
  }
  return { operation, values };
}

/** At most this many characters of an unknown operation are shown back (unknownOperationIn). */
export const UNKNOWN_OPERATION_SHOWN = 40;

/**
 * The operation an address names but this calculator does not know (`?op=evil`), as it may be
 * shown back in words: without control and formatting characters (a right-to-left override would
 * turn what follows it around), at most UNKNOWN_OPERATION_SHOWN characters. Null when the address
 * names none, or one it knows. It is for text interpolation only, never for markup.
 */
export function unknownOperationIn(search: string): string | null {
  const named = new URLSearchParams(search).get('op');
  if (named === null || calculationFromSearch(search)) return null;
  const shown = [...named.replace(/\p{C}/gu, '').trim()];
  return shown.length > UNKNOWN_OPERATION_SHOWN
    ? `${shown.slice(0, UNKNOWN_OPERATION_SHOWN).join('')}…`
    : shown.join('');
}

export function searchOf(operation: Operation, values: ArgumentValues): string {
  const parameters = new URLSearchParams({ op: OPERATION_PARAMETER[operation] });
  for (const argument of argumentNamesOf(operation)) {
    const value = values[argument].trim();
    if (value !== '') parameters.set(argument, value);
  }
  return `?${parameters.toString()}`;
}

/** The form's fields from a log's canonical JSON input (`{"base":"2","exponent":"10"}`). */
export function valuesOfInput(operation: Operation, input: string): Partial<ArgumentValues> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null) return {};
  const values: Partial<ArgumentValues> = {};
  for (const argument of argumentNamesOf(operation)) {
    const value = (parsed as Record<string, unknown>)[argument];
    if (typeof value === 'string' || typeof value === 'number') values[argument] = String(value);
  }
  return values;
}

/**
 * Whether a log's input holds every argument of its calculation: the log keeps at most 1,024
 * characters of it, and a cut one cannot be run again (the form would come up empty).
 */
export function canRunAgain(operation: Operation, input: string): boolean {
  const values = valuesOfInput(operation, input);
  return OPERATIONS[operation].arguments.every(
    (field) => field.missing === undefined || values[field.name] !== undefined,
  );
}

/**
 * Marks the `popstate` event runAgain sends (the event's state, not the entry's, which stays
 * null): the calculator restores it as any address, and then takes keyboard focus, which was on
 * the log's button far below.
 */
const RUN_AGAIN = 'microservice-math.runAgain';

export function isRunAgain(event: Event): boolean {
  const state: unknown = event instanceof PopStateEvent ? event.state : null;
  return typeof state === 'object' && state !== null && RUN_AGAIN in state;
}

/**
 * Asks the calculator to run a logged calculation again: a new history entry, announced the way
 * the browser announces Back and Forward (marked as Run again: isRunAgain), so the calculator has
 * one way in. It is computed, never
 * shown from what the tab holds: the calculator holds answers by the entry id in `history.state`
 * (heldAnswers.ts), and the entry pushed here has none, as a page opened from a link has none.
 */
export function runAgain(operation: Operation, input: string): void {
  const values = {
    base: '',
    exponent: '',
    precision: '',
    n: '',
    ...valuesOfInput(operation, input),
  };
  window.history.pushState(null, '', searchOf(operation, values));
  window.dispatchEvent(new PopStateEvent('popstate', { state: { [RUN_AGAIN]: true } }));
}
