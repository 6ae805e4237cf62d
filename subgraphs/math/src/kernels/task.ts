/**
 * One math request as data: the operation and its parsed arguments. The same shape travels to a
 * worker thread (BigInts survive structured cloning), feeds the size prediction, and names the
 * result in cache keys and request logs through its canonical input.
 */
import { assertFactorialArgument } from './factorial.js';
import { assertFibonacciArgument } from './fibonacci.js';
import { assertPowerArguments, type PowerArgs } from './power.js';
import { toCanonicalRational, toDecimal } from './rational.js';

export type Operation = 'POWER' | 'FACTORIAL' | 'FIBONACCI';

export interface OperationArgs {
  POWER: PowerArgs;
  FACTORIAL: { n: number };
  FIBONACCI: { n: number };
}

/** A discriminated union: narrowing on `operation` types `args`. */
export type ComputeTask = {
  [O in Operation]: { operation: O; args: OperationArgs[O] };
}[Operation];

/** Throws `DomainError` (or `PowerDomainError`) when the arguments are outside the domain. */
export function assertTask(task: ComputeTask): void {
  switch (task.operation) {
    case 'FACTORIAL':
      return assertFactorialArgument(task.args.n);
    case 'FIBONACCI':
      return assertFibonacciArgument(task.args.n);
    case 'POWER':
      return assertPowerArguments(task.args.base, task.args.exponent, task.args.precision);
  }
}

/**
 * Whether `precision` can change a power's answer. Only a decimal base to a non-negative integer
 * exponent is certainly a terminating decimal, answered in full whatever the precision; for the
 * rest, precision is part of the request's identity (cache key, log input).
 */
export function precisionMatters({ base, exponent }: PowerArgs): boolean {
  return !(exponent.den === 1n && exponent.num >= 0n && toDecimal(base) !== undefined);
}

/**
 * The canonical JSON of a task's arguments: fixed key order, integers as JSON numbers, and
 * `Numeric` values as their canonical text (a decimal when the value terminates, else "p/q"), so
 * every spelling of the same request gives the same string:
 *   FACTORIAL {"n":10}   FIBONACCI {"n":-7}   POWER {"base":"1.5","exponent":"3"}
 *   POWER {"base":"2","exponent":"1/3","precision":50}
 */
export function canonicalInput(task: ComputeTask): string {
  switch (task.operation) {
    case 'FACTORIAL':
    case 'FIBONACCI':
      return JSON.stringify({ n: task.args.n }); // JSON writes -0 as 0
    case 'POWER':
      return JSON.stringify({
        base: toCanonicalRational(task.args.base),
        exponent: toCanonicalRational(task.args.exponent),
        ...(precisionMatters(task.args) ? { precision: task.args.precision } : {}),
      });
  }
}
