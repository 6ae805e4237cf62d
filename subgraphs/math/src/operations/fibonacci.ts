/** fibonacci(n: Int!): F(n), negative n included. */
import { assertFibonacciArgument, fibonacci } from '../kernels/fibonacci.js';
import { fibonacciDigitRange } from '../kernels/size.js';
import { integerArgument } from './factorial.js';
import type { OperationModule } from './operation.js';

export const fibonacciOperation: OperationModule<'FIBONACCI'> = {
  operation: 'FIBONACCI',
  field: 'fibonacci',
  parseArguments: ({ n }) => ({ n: integerArgument('n', n) }),
  assertArguments: ({ n }) => assertFibonacciArgument(n),
  canonicalInput: ({ n }) => JSON.stringify({ n }), // JSON writes -0 as 0
  predictDigits: ({ n }) => fibonacciDigitRange(n),
  compute: ({ n }) => ({ exact: true, decimal: { coefficient: fibonacci(n), exponent: 0 } }),
};
