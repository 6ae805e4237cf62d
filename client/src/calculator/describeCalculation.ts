/**
 * Names a calculation for headings, announcements and downloads, from its arguments as JSON: as
 * the user typed them where the page knows them (the calculator's own answer), otherwise as the
 * server echoed them back (its canonical input, all a request log keeps).
 */
import { formatDigits, formatDuration } from '../format/format';
import type { Operation } from '../gql/graphql';
import type { Calculation } from './calculate';
import { OPERATIONS } from './operations';

/** The arguments in a calculation's canonical JSON input, as text; null if it is not that. */
function argumentsOf(input: string): Record<string, string> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const entries = Object.entries(parsed).map(([name, value]) => [name, String(value)]);
  return Object.fromEntries(entries);
}

/** "2¹⁰", "(−2)²", "2⁻³", "(−8)^(1/3)", "100!", "F(−8)"; the operation's name with its raw input when the input is unexpected. */
export function describeCalculation(operation: Operation, input: string): string {
  return named(operation, input, OPERATIONS[operation].title);
}

/**
 * The same in words, for announcements and labels a screen reader reads ("2 to the power 10",
 * "Fibonacci of minus 8"): superscripts and the typographic minus are not read reliably.
 */
export function speakCalculation(operation: Operation, input: string): string {
  return named(operation, input, OPERATIONS[operation].spokenTitle);
}

/**
 * An answer as the live region says it: the calculation in words (titled by its arguments as
 * typed, `typedInput`), its digits, whether it is exact, where it came from and how long it took.
 */
export function speakAnswer(answer: Calculation, typedInput: string): string {
  const what = speakCalculation(answer.operation, typedInput);
  const precision = answer.exact ? 'exact' : 'rounded';
  const source = answer.cached ? 'from the cache' : 'computed';
  return `${what}: ${formatDigits(answer.digits)}, ${precision}, ${source} in ${formatDuration(answer.durationMs)}.`;
}

function named(
  operation: Operation,
  input: string,
  wording: (args: Readonly<Record<string, string>>) => string | undefined,
): string {
  const args = argumentsOf(input);
  const { name } = OPERATIONS[operation];
  // The log keeps 1,024 characters of an input: a longer one is cut mid-JSON.
  if (!args && input.startsWith('{')) return `${name} (input cut in the log)`;
  return (args && wording(args)) ?? `${name} ${input}`;
}

/** A file name safe on every desktop system: "power-2-10.txt", "fibonacci--5.txt". */
export function resultFileName(operation: Operation, input: string): string {
  const values = Object.values(argumentsOf(input) ?? {});
  const stem = [operation.toLowerCase(), ...values].join('-').replace(/[^A-Za-z0-9.+-]/g, '_');
  return `${stem.slice(0, 120)}.txt`;
}
