/**
 * GraphQL arguments to a kernel task: the one place that knows which root fields calculate and
 * how their arguments map onto a task, so the resolvers and the up-front budget agree. A broken
 * rule becomes `BAD_USER_INPUT` naming the argument.
 */
import { badUserInput } from '@microservice-math/shared/errors';
import { DomainError } from '../kernels/errors.js';
import { NumericInputError, parseNumeric, type Decimal } from '../kernels/numeric.js';
import { predictDigits } from '../kernels/size.js';
import { assertTask, type ComputeTask } from '../kernels/task.js';
import type { CalculationRequest } from './calculation.js';

/** The request a root field's (coerced) arguments ask for; undefined for other fields. */
export function calculationRequest(
  field: string,
  args: Record<string, unknown>,
): CalculationRequest | undefined {
  const { n, base, exponent } = args;
  switch (field) {
    case 'factorial':
      return typeof n === 'number' ? { operation: 'FACTORIAL', n } : undefined;
    case 'fibonacci':
      return typeof n === 'number' ? { operation: 'FIBONACCI', n } : undefined;
    case 'power':
      return typeof base === 'string' && typeof exponent === 'string'
        ? { operation: 'POWER', base, exponent }
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

/** Digits the task's result will have (an upper bound at most 1 too high, see size.ts). */
export function predictedDigits(task: ComputeTask): number {
  try {
    return predictDigits(task);
  } catch (error) {
    // Predicting an inexact power evaluates it, which is where overflow is found.
    throw asBadUserInput(error);
  }
}

function numericArgument(argument: string, text: string): Decimal {
  try {
    return parseNumeric(text);
  } catch (error) {
    if (error instanceof NumericInputError) throw badUserInput(argument, error.message);
    throw error;
  }
}

function asBadUserInput(error: unknown): unknown {
  return error instanceof DomainError ? badUserInput(error.argument, error.message) : error;
}
