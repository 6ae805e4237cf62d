/**
 * The rules a calculation's arguments must meet before they are sent, checked as the user types.
 * They mirror the GraphQL types (Numeric is an exact decimal; Int is 32-bit) and the domain
 * (factorial needs n ≥ 0), operation by operation as operations.ts states them; the server
 * remains the authority and its messages are shown as well.
 */
import type { Operation } from '../gql/graphql';
import {
  OPERATIONS,
  operationEntry,
  typedNumber,
  type ArgumentName,
  type ArgumentValues,
  type CalculationVariables,
} from './operations';

export type { ArgumentName, ArgumentValues } from './operations';
export type ArgumentErrors = Partial<Record<ArgumentName, string>>;

export type CalculationRequest = {
  [O in Operation]: { operation: O; variables: CalculationVariables[O] };
}[Operation];

export type PreparedCalculation =
  { ok: true; request: CalculationRequest } | { ok: false; errors: ArgumentErrors };

/**
 * The problem with what has been typed so far, or undefined when it is acceptable. An empty
 * field is not a problem while typing; `prepareCalculation` asks for it on submit.
 */
export function validateArgument(
  operation: Operation,
  name: ArgumentName,
  raw: string,
): string | undefined {
  const value = typedNumber(raw);
  return value === '' ? undefined : OPERATIONS[operation].validate(name, value);
}

/** The variables to send for `operation`, or each argument's problem (including missing ones). */
export function prepareCalculation(
  operation: Operation,
  values: ArgumentValues,
): PreparedCalculation {
  const entry = operationEntry(operation);
  const errors: ArgumentErrors = {};
  for (const { name, missing } of entry.arguments) {
    const problem =
      values[name].trim() === '' ? missing : validateArgument(operation, name, values[name]);
    if (problem) errors[name] = problem;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  // The entry for `operation` gives that operation's variables; TypeScript cannot correlate them.
  const request = { operation, variables: entry.variables(values) } as CalculationRequest;
  return { ok: true, request };
}
