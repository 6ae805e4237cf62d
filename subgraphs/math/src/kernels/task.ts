/**
 * One math request as data: the operation and its parsed arguments. The same shape travels to a
 * worker thread (BigInts survive structured cloning), feeds the size prediction, and names the
 * result in cache keys and request logs through its canonical input.
 */
import { assertFactorialArgument } from './factorial.js';
import { assertFibonacciArgument } from './fibonacci.js';
import type { Decimal } from './numeric.js';
import { toCanonicalString } from './numeric.js';
import { assertPowerArguments } from './power.js';

export type Operation = 'POWER' | 'FACTORIAL' | 'FIBONACCI';

export interface OperationArgs {
  POWER: { base: Decimal; exponent: Decimal };
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
      return assertPowerArguments(task.args.base, task.args.exponent);
  }
}

/**
 * The canonical JSON of a task's arguments: fixed key order, integers as JSON numbers, and
 * `Numeric` values as their canonical text (see `toCanonicalString`), so every spelling of the
 * same request gives the same string:
 *   FACTORIAL {"n":10}   FIBONACCI {"n":-7}   POWER {"base":"1.5","exponent":"3"}
 */
export function canonicalInput(task: ComputeTask): string {
  switch (task.operation) {
    case 'FACTORIAL':
    case 'FIBONACCI':
      return JSON.stringify({ n: task.args.n }); // JSON writes -0 as 0
    case 'POWER':
      return JSON.stringify({
        base: toCanonicalString(task.args.base),
        exponent: toCanonicalString(task.args.exponent),
      });
  }
}
