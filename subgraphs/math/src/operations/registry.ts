/**
 * Every math operation, keyed by the schema's `Operation` enum: a `Record` over the generated
 * type, so an operation added to schema/math.graphql is a type error here until its module
 * exists. The dispatchers below are what the rest of the subgraph calls; none of them switches
 * on the operation.
 */
import type { DigitRange } from '../kernels/size.js';
import type { ComputeTask, Operation, OperationArgs } from '../kernels/task.js';
import { factorialOperation } from './factorial.js';
import { fibonacciOperation } from './fibonacci.js';
import type { OperationModule, ResultValue } from './operation.js';
import { powerOperation } from './power.js';

export type { CalculationField, OperationModule, ResultValue } from './operation.js';

export const operations: { readonly [O in Operation]: OperationModule<O> } = {
  POWER: powerOperation,
  FACTORIAL: factorialOperation,
  FIBONACCI: fibonacciOperation,
};

export const operationList: readonly OperationModule<Operation>[] = Object.values(operations);

const byField = new Map<string, OperationModule<Operation>>(
  operationList.map((module) => [module.field, module]),
);

/** The operation a Query field asks for; undefined for fields that do not calculate. */
export function operationOfField(field: string): OperationModule<Operation> | undefined {
  return byField.get(field);
}

/**
 * The module of a task's operation, typed for the task's arguments. TypeScript cannot follow the
 * correlation between `task.operation` and `task.args` through an index, hence the one cast here.
 */
function moduleOf<O extends Operation>(task: {
  operation: O;
  args: OperationArgs[O];
}): OperationModule<O> {
  return operations[task.operation] as OperationModule<O>;
}

/**
 * The task a field's coerced arguments ask for, parsed but not yet checked against the domain
 * (`assertTask`); throws `DomainError` naming an argument that does not parse.
 */
export function taskOf(operation: Operation, args: Readonly<Record<string, unknown>>): ComputeTask {
  return { operation, args: operations[operation].parseArguments(args) } as ComputeTask;
}

/** Throws `DomainError` (or `PowerDomainError`) when the arguments are outside the domain. */
export function assertTask(task: ComputeTask, maxDigits?: number): void {
  moduleOf(task).assertArguments(task.args, maxDigits);
}

/** The canonical JSON of a task's arguments (see `OperationModule.canonicalInput`). */
export function canonicalInput(task: ComputeTask): string {
  return moduleOf(task).canonicalInput(task.args);
}

/** The predicted digits of a task's result; throws `DomainError` for out-of-domain arguments. */
export function predictDigitRange(task: ComputeTask): DigitRange {
  return moduleOf(task).predictDigits(task.args);
}

/** An upper bound on the digits of a task's result (at most 1 above for exact answers). */
export function predictDigits(task: ComputeTask): number {
  return predictDigitRange(task).high;
}

/** Digits of the largest numbers the task works on, where longer than its result; else 0. */
export function workDigits(task: ComputeTask): number {
  return moduleOf(task).workDigits?.(task.args as never) ?? 0;
}

/** The task's result value, computed synchronously. */
export function resultValue(task: ComputeTask): ResultValue {
  return moduleOf(task).compute(task.args);
}
