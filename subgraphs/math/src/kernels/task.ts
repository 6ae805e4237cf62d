/**
 * One math request as data: the operation and its parsed arguments. The same shape travels to a
 * worker thread (BigInts survive structured cloning), feeds the size prediction, and names the
 * result in cache keys and request logs through its canonical input. What each operation does
 * with it lives in its module under ../operations/.
 */
import type { Operation } from '@microservice-math/shared/generated/mathTypes';
import type { PowerArgs } from './power.js';

/** The schema's `Operation` enum, as codegen writes it. */
export type { Operation };

export interface OperationArgs {
  POWER: PowerArgs;
  FACTORIAL: { n: number };
  FIBONACCI: { n: number };
}

/** A discriminated union: narrowing on `operation` types `args`. */
export type ComputeTask = {
  [O in Operation]: { operation: O; args: OperationArgs[O] };
}[Operation];
