/**
 * GraphQL arguments to a kernel task, through the operation registry (../operations/), so the
 * resolvers and the up-front budget agree on which root fields calculate and what they ask for.
 * A broken rule becomes `BAD_USER_INPUT` naming the argument.
 */
import { badUserInput } from '@microservice-math/shared/errors';
import { DomainError } from '../kernels/errors.js';
import type { DigitRange } from '../kernels/size.js';
import type { ComputeTask } from '../kernels/task.js';
import { assertTask, operationOfField, predictDigitRange, taskOf } from '../operations/registry.js';
import type { CalculationRequest } from './calculation.js';

/** The request a root field's (coerced) arguments ask for; undefined for other fields. */
export function calculationRequest(
  field: string,
  args: Readonly<Record<string, unknown>>,
): CalculationRequest | undefined {
  const module = operationOfField(field);
  return module && { operation: module.operation, args };
}

/**
 * The kernel task of a request, parsed (its canonical input can be written) but not yet checked
 * (`checkTask`); throws `BAD_USER_INPUT` naming an argument that does not parse.
 */
export function toTask(request: CalculationRequest): ComputeTask {
  try {
    return taskOf(request.operation, request.args);
  } catch (error) {
    throw asBadUserInput(error);
  }
}

/**
 * Throws `BAD_USER_INPUT` naming the argument when the task is outside its domain; `maxDigits`
 * bounds what the refusal suggests asking for instead.
 */
export function checkTask(task: ComputeTask, maxDigits?: number): void {
  try {
    assertTask(task, maxDigits);
  } catch (error) {
    throw asBadUserInput(error);
  }
}

/** Digits the task's result will have: a range, exact or nearly so for exact answers (size.ts). */
export function predictedDigits(task: ComputeTask): DigitRange {
  try {
    return predictDigitRange(task);
  } catch (error) {
    throw asBadUserInput(error);
  }
}

function asBadUserInput(error: unknown): unknown {
  return error instanceof DomainError ? badUserInput(error.argument, error.message) : error;
}
