/**
 * The rules a calculation's arguments must meet before they are sent, checked as the user types.
 * They mirror the GraphQL types (Numeric is an exact decimal; Int is 32-bit) and the domain
 * (factorial needs n ≥ 0); the server remains the authority and its messages are shown as well.
 */
import type { Operation } from '../gql/graphql';

export type ArgumentName = 'base' | 'exponent' | 'n';
export type ArgumentValues = Record<ArgumentName, string>;
export type ArgumentErrors = Partial<Record<ArgumentName, string>>;

export const ARGUMENTS_OF: Readonly<Record<Operation, readonly ArgumentName[]>> = {
  POWER: ['base', 'exponent'],
  FACTORIAL: ['n'],
  FIBONACCI: ['n'],
};

export type CalculationRequest =
  | { operation: 'POWER'; variables: { base: string; exponent: string } }
  | { operation: 'FACTORIAL'; variables: { n: number } }
  | { operation: 'FIBONACCI'; variables: { n: number } };

export type PreparedCalculation =
  { ok: true; request: CalculationRequest } | { ok: false; errors: ArgumentErrors };

const MISSING: Readonly<Record<ArgumentName, string>> = {
  base: 'Enter a base.',
  exponent: 'Enter an exponent.',
  n: 'Enter n.',
};

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
/** A fraction p/q as the server's Numeric accepts it ("1/3", "-22/7"). */
const FRACTION = /^-?\d+\/\d+$/;

/**
 * The problem with what has been typed so far, or undefined when it is acceptable. An empty
 * field is not a problem while typing; `prepareCalculation` asks for it on submit.
 */
export function validateArgument(
  operation: Operation,
  name: ArgumentName,
  raw: string,
): string | undefined {
  const value = raw.trim();
  if (value === '') return undefined;
  if (operation === 'POWER') {
    return NUMERIC.test(value) || FRACTION.test(value)
      ? undefined
      : 'Enter a number such as 2, -1.5, 6.02e23 or 1/3.';
  }
  if (!INTEGER.test(value)) return `Enter a whole number for ${name}, such as 10.`;
  const integer = BigInt(value);
  if (operation === 'FACTORIAL' && integer < 0n) {
    return `${name} must be 0 or more: factorials are defined for whole numbers from 0.`;
  }
  if (integer < INT_MIN || integer > INT_MAX) {
    return operation === 'FACTORIAL'
      ? `${name} must be at most ${INT_MAX.toLocaleString('en-US')}.`
      : `${name} must be between ${INT_MIN.toLocaleString('en-US')} and ${INT_MAX.toLocaleString('en-US')}.`;
  }
  return undefined;
}

/** The variables to send for `operation`, or each argument's problem (including missing ones). */
export function prepareCalculation(
  operation: Operation,
  values: ArgumentValues,
): PreparedCalculation {
  const errors: ArgumentErrors = {};
  for (const name of ARGUMENTS_OF[operation]) {
    const problem =
      values[name].trim() === '' ? MISSING[name] : validateArgument(operation, name, values[name]);
    if (problem) errors[name] = problem;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  switch (operation) {
    case 'POWER':
      return {
        ok: true,
        request: {
          operation,
          variables: { base: values.base.trim(), exponent: values.exponent.trim() },
        },
      };
    case 'FACTORIAL':
    case 'FIBONACCI':
      return { ok: true, request: { operation, variables: { n: Number(values.n.trim()) } } };
  }
}
