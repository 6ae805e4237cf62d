/**
 * A calculating field checked once per request: its arguments parsed (a `Numeric` of up to
 * 10,000 characters is parsed exactly once), its domain checked and its result's size
 * predicted. The budget plugin plans every math field of an operation before any resolves and
 * leaves the plan in the context by response key; the calculator and the pool use it as it is.
 */
import { GraphQLError } from 'graphql';
import { canonicalInput } from '../operations/registry.js';
import type { DigitRange } from '../kernels/size.js';
import type { ComputeTask } from '../kernels/task.js';
import { checkTask, predictedDigits, toTask } from './arguments.js';
import type { CalculationRequest } from './calculation.js';

export type PlannedCalculation =
  | { ok: true; task: ComputeTask; input: string; predictedDigits: DigitRange }
  /** Refused: `error` is what the field answers (`BAD_USER_INPUT` naming the argument). */
  | { ok: false; input: string; error: unknown };

/** The plan of one operation: its calculating fields by response key (alias or field name). */
export type CalculationPlan = Map<string, PlannedCalculation>;

/** `maxDigits`: the most digits an answer may have (MATH_MAX_DIGITS), for refusals' advice. */
export function planCalculation(
  request: CalculationRequest,
  maxDigits?: number,
): PlannedCalculation {
  let input = JSON.stringify(request.args); // until the arguments parse to a canonical input
  try {
    const task = toTask(request);
    // Written before the domain check: a refused calculation is logged under the same input as
    // an answered one (a null precision as the default it stands for).
    input = canonicalInput(task);
    try {
      checkTask(task, maxDigits);
    } catch (error) {
      input = withRefusedArgument(input, request, error);
      throw error;
    }
    return { ok: true, task, input, predictedDigits: predictedDigits(task) };
  } catch (error) {
    return { ok: false, input, error };
  }
}

/**
 * The canonical input of a refused calculation, with the argument it was refused for: the
 * canonical form leaves out an argument that cannot change a valid answer (`precision` of 2^2),
 * but an invalid one is what the log must show, or it reads as the valid calculation.
 */
function withRefusedArgument(input: string, request: CalculationRequest, error: unknown): string {
  const argument = error instanceof GraphQLError ? error.extensions['argument'] : undefined;
  if (typeof argument !== 'string' || !Object.hasOwn(request.args, argument)) return input;
  const fields = JSON.parse(input) as Record<string, unknown>;
  if (Object.hasOwn(fields, argument)) return input;
  return JSON.stringify({ ...fields, [argument]: request.args[argument] });
}
