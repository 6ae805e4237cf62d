/** factorial(n: Int!): n! for n >= 0. */
import { DomainError } from '../kernels/errors.js';
import { assertFactorialArgument, factorial } from '../kernels/factorial.js';
import { factorialDigitRange } from '../kernels/size.js';
import type { OperationModule } from './operation.js';

export const factorialOperation: OperationModule<'FACTORIAL'> = {
  operation: 'FACTORIAL',
  field: 'factorial',
  parseArguments: ({ n }) => ({ n: integerArgument('n', n) }),
  assertArguments: ({ n }) => assertFactorialArgument(n),
  canonicalInput: ({ n }) => JSON.stringify({ n }), // JSON writes -0 as 0
  predictDigits: ({ n }) => factorialDigitRange(n),
  compute: ({ n }) => ({ exact: true, decimal: { coefficient: factorial(n), exponent: 0 } }),
};

/** An `Int!` argument; GraphQL coercion has made it a number before any resolver runs. */
export function integerArgument(argument: string, value: unknown): number {
  if (typeof value !== 'number') throw new DomainError(argument, 'must be an integer');
  return value;
}
