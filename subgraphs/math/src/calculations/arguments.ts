/**
 * GraphQL arguments to a kernel task: the one place that knows which root fields calculate and
 * how their arguments map onto a task, so the resolvers and the up-front budget agree. A broken
 * rule becomes `BAD_USER_INPUT` naming the argument.
 */
import { badUserInput } from '@microservice-math/shared/errors';
import { DomainError } from '../kernels/errors.js';
import { NumericInputError } from '../kernels/numeric.js';
import { DEFAULT_PRECISION } from '../kernels/power.js';
import { parseRational, type Rational } from '../kernels/rational.js';
import { predictDigitRange, type DigitRange } from '../kernels/size.js';
import { assertTask, type ComputeTask } from '../kernels/task.js';
import type { CalculationRequest } from './calculation.js';

/** The request a root field's (coerced) arguments ask for; undefined for other fields. */
export function calculationRequest(
  field: string,
  args: Record<string, unknown>,
): CalculationRequest | undefined {
  const { n, base, exponent, precision = DEFAULT_PRECISION } = args;
  switch (field) {
    case 'factorial':
      return typeof n === 'number' ? { operation: 'FACTORIAL', n } : undefined;
    case 'fibonacci':
      return typeof n === 'number' ? { operation: 'FIBONACCI', n } : undefined;
    case 'power':
      return typeof base === 'string' &&
        typeof exponent === 'string' &&
        typeof precision === 'number'
        ? { operation: 'POWER', base, exponent, precision }
        : undefined;
    default:
      return undefined;
  }
}

/** The kernel task of a request; throws `BAD_USER_INPUT` naming the argument at fault. */
export function toTask(request: CalculationRequest): ComputeTask {
  const task: ComputeTask =
    request.operation === 'POWER'
      ? {
          operation: 'POWER',
          args: {
            base: numericArgument('base', request.base),
            exponent: numericArgument('exponent', request.exponent),
            precision: request.precision,
          },
        }
      : { operation: request.operation, args: { n: request.n } };
  try {
    assertTask(task);
  } catch (error) {
    throw asBadUserInput(error);
  }
  return task;
}

/** Digits the task's result will have: a range, exact or nearly so for exact answers (size.ts). */
export function predictedDigits(task: ComputeTask): DigitRange {
  try {
    return predictDigitRange(task);
  } catch (error) {
    throw asBadUserInput(error);
  }
}

function numericArgument(argument: string, text: string): Rational {
  try {
    return parseRational(text);
  } catch (error) {
    if (error instanceof NumericInputError) throw badUserInput(argument, error.message);
    throw error;
  }
}

function asBadUserInput(error: unknown): unknown {
  return error instanceof DomainError ? badUserInput(error.argument, error.message) : error;
}
