/**
 * The client's one table of math operations: what the form shows for each, the rules its
 * arguments must meet before they are sent, the variables it sends, and how a calculation of it
 * is titled in headings, announcements and the log list. Keyed by the schema's `Operation` enum,
 * so an operation added to the schema is a type error here (and in calculate.ts, which holds its
 * query) until it has an entry.
 */
import type {
  FactorialQueryVariables,
  FibonacciQueryVariables,
  Operation,
  PowerQueryVariables,
} from '../gql/graphql';
import { numericProblem } from '@microservice-math/shared/numericRules';
import { baseOf, raised, spoken, spokenBase, spokenExponent, withMinus } from '../format/notation';

/**
 * A number as typed, in the form the server reads: trimmed, and the minus sign the app itself
 * writes (U+2212, in titles such as "F(−8)") or an en dash read as "-", so what is copied from
 * the page can be typed back.
 */
export function typedNumber(raw: string): string {
  return raw.trim().replace(/[\u2212\u2013]/g, '-');
}

export type ArgumentName = 'base' | 'exponent' | 'precision' | 'n';
export type ArgumentValues = Record<ArgumentName, string>;

/** Every argument name any operation has: the form keeps one input value per name. */
export const ARGUMENT_NAMES: readonly ArgumentName[] = ['base', 'exponent', 'precision', 'n'];

/** How the form shows one argument. */
export interface ArgumentField {
  name: ArgumentName;
  label: string;
  hint: string;
  inputmode: 'decimal' | 'numeric';
  placeholder: string;
  /** Shown on submit when the field is empty; an optional argument has none. */
  missing?: string;
}

/** The variables each operation's query takes (see calculate.ts). */
export interface CalculationVariables {
  POWER: PowerQueryVariables;
  FACTORIAL: FactorialQueryVariables;
  FIBONACCI: FibonacciQueryVariables;
}

export interface OperationEntry<O extends Operation> {
  /** Its name on the form's buttons and in the log list. */
  name: string;
  /** Its arguments, in the form's order. */
  arguments: readonly ArgumentField[];
  /** The problem with a typed (trimmed, non-empty) argument, or undefined when it is acceptable. */
  validate(name: ArgumentName, value: string): string | undefined;
  /** The query's variables from arguments that passed `validate`. */
  variables(values: ArgumentValues): CalculationVariables[O];
  /** "2¹⁰" from the arguments of the canonical input; undefined when one is missing. */
  title(args: Readonly<Record<string, string>>): string | undefined;
  /** The same in words, for screen readers: "2 to the power 10". */
  spokenTitle(args: Readonly<Record<string, string>>): string | undefined;
}

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const INTEGER = /^[+-]?\d+$/;

const formatInt = (value: bigint) => value.toLocaleString('en-US');

/** Significant digits of an inexact power when none are asked for (the API's default). */
export const DEFAULT_PRECISION = 50;
/**
 * As many digits as math's default `MATH_MAX_DIGITS`: a root to 100,000 digits is a normal
 * request. A server set to fewer refuses with RESULT_TOO_LARGE, which the page shows.
 */
export const MAX_PRECISION = 1_000_000;

/**
 * A `Numeric` argument: an exact decimal or fraction, by math's own rules (shared with it), in
 * its words as a sentence, so the page accepts exactly what the server does.
 */
function numericRule(value: string): string | undefined {
  const problem = numericProblem(value);
  return problem === undefined
    ? undefined
    : `${problem.charAt(0).toUpperCase()}${problem.slice(1)}.`;
}

/** Power's optional `precision`: significant digits of an inexact answer. */
function precisionRule(value: string): string | undefined {
  const digits = Number(value);
  return INTEGER.test(value) && digits >= 1 && digits <= MAX_PRECISION
    ? undefined
    : `Enter a whole number of digits from 1 to ${formatInt(BigInt(MAX_PRECISION))}.`;
}

/** An `Int` argument: a whole number within GraphQL's 32 bits. */
function intRule(name: ArgumentName, value: string): string | undefined {
  if (!INTEGER.test(value)) return `Enter a whole number for ${name}, such as 10.`;
  const integer = BigInt(value);
  if (integer < INT_MIN || integer > INT_MAX) {
    return `${name} must be between ${formatInt(INT_MIN)} and ${formatInt(INT_MAX)}.`;
  }
  return undefined;
}

/** An `Int` argument that must be 0 or more, as factorial's n. */
function naturalRule(name: ArgumentName, value: string): string | undefined {
  if (!INTEGER.test(value)) return intRule(name, value);
  const integer = BigInt(value);
  if (integer < 0n) {
    return `${name} must be 0 or more: factorials are defined for whole numbers from 0.`;
  }
  return integer > INT_MAX ? `${name} must be at most ${formatInt(INT_MAX)}.` : undefined;
}

const nField = (hint: string): ArgumentField => ({
  name: 'n',
  label: 'n',
  hint,
  inputmode: 'numeric',
  placeholder: '100',
  missing: 'Enter n.',
});

export const OPERATIONS: { readonly [O in Operation]: OperationEntry<O> } = {
  POWER: {
    name: 'Power',
    arguments: [
      {
        name: 'base',
        label: 'Base',
        hint: 'Any number, e.g. 2, -1.5, 1/3 or 1e3',
        inputmode: 'decimal',
        placeholder: '2',
        missing: 'Enter a base.',
      },
      {
        name: 'exponent',
        label: 'Exponent',
        hint: 'Any number, e.g. 10, -3, 0.5 or 1/3 (a cube root)',
        inputmode: 'decimal',
        placeholder: '1000',
        missing: 'Enter an exponent.',
      },
      {
        name: 'precision',
        label: 'Significant digits',
        hint: `When the result is not exact (1–${formatInt(BigInt(MAX_PRECISION))})`,
        inputmode: 'numeric',
        placeholder: String(DEFAULT_PRECISION),
      },
    ],
    validate: (name, value) => (name === 'precision' ? precisionRule(value) : numericRule(value)),
    variables: (values) => ({
      base: typedNumber(values.base),
      exponent: typedNumber(values.exponent),
      ...(values.precision.trim() === ''
        ? {}
        : { precision: Number(typedNumber(values.precision)) }),
    }),
    title: ({ base, exponent }) =>
      base !== undefined && exponent !== undefined
        ? `${baseOf(base)}${raised(exponent)}`
        : undefined,
    spokenTitle: ({ base, exponent }) =>
      base !== undefined && exponent !== undefined
        ? `${spokenBase(base)} to the power ${spokenExponent(exponent)}`
        : undefined,
  },
  FACTORIAL: {
    name: 'Factorial',
    arguments: [nField('A whole number from 0')],
    validate: naturalRule,
    variables: (values) => ({ n: Number(typedNumber(values.n)) }),
    title: ({ n }) => (n !== undefined ? `${n}!` : undefined),
    spokenTitle: ({ n }) => (n !== undefined ? `${n} factorial` : undefined),
  },
  FIBONACCI: {
    name: 'Fibonacci',
    arguments: [nField('A whole number; negative n allowed')],
    validate: intRule,
    variables: (values) => ({ n: Number(typedNumber(values.n)) }),
    title: ({ n }) => (n !== undefined ? `F(${withMinus(n)})` : undefined),
    spokenTitle: ({ n }) => (n !== undefined ? `Fibonacci of ${spoken(n)}` : undefined),
  },
};

/** The operations in the form's order. */
export const OPERATION_LIST = Object.keys(OPERATIONS) as Operation[];

/** The table entry of `operation`, typed for any operation (the variables' type is then a union). */
export function operationEntry(operation: Operation): OperationEntry<Operation> {
  return OPERATIONS[operation] as OperationEntry<Operation>;
}

/** The argument names of `operation`, in the form's order. */
export function argumentNamesOf(operation: Operation): readonly ArgumentName[] {
  return OPERATIONS[operation].arguments.map((field) => field.name);
}
