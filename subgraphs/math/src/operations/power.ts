/** power(base: Numeric!, exponent: Numeric!): base^exponent, exact for natural exponents. */
import { DomainError } from '../kernels/errors.js';
import {
  NumericInputError,
  parseNumeric,
  toCanonicalString,
  type Decimal,
} from '../kernels/numeric.js';
import { assertPowerArguments, power } from '../kernels/power.js';
import { powerDigits } from '../kernels/size.js';
import type { OperationModule } from './operation.js';

export const powerOperation: OperationModule<'POWER'> = {
  operation: 'POWER',
  field: 'power',
  parseArguments: ({ base, exponent }) => ({
    base: numericArgument('base', base),
    exponent: numericArgument('exponent', exponent),
  }),
  assertArguments: ({ base, exponent }) => assertPowerArguments(base, exponent),
  canonicalInput: ({ base, exponent }) =>
    JSON.stringify({ base: toCanonicalString(base), exponent: toCanonicalString(exponent) }),
  predictDigits: ({ base, exponent }) => powerDigits(base, exponent),
  compute: ({ base, exponent }) => {
    const outcome = power(base, exponent);
    return outcome.exact
      ? { exact: true, decimal: outcome.value }
      : { exact: false, double: outcome.value };
  },
};

/** A `Numeric` argument (its text as written) parsed exactly; a broken rule names the argument. */
function numericArgument(argument: string, text: unknown): Decimal {
  try {
    return parseNumeric(text as string); // parseNumeric refuses anything but a string itself
  } catch (error) {
    if (error instanceof NumericInputError) throw new DomainError(argument, error.message);
    throw error;
  }
}
