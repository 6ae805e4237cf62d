/**
 * One calculation request from start to log: check the arguments, predict the size against the
 * operation's digit budget, answer from the cache or the compute pool, and log the request
 * (answered or refused) before answering.
 */
import { badUserInput, codeOf, ErrorCode } from '@microservice-math/shared/errors';
import type { Caller } from '@microservice-math/shared/routerContext';
import { GraphQLError } from 'graphql';
import { cacheKey, type ResultCache } from '../cache/resultCache.js';
import { ComputationTimeoutError, type ComputePool } from '../compute/pool.js';
import { DomainError } from '../kernels/errors.js';
import { assertTask, canonicalInput, type ComputeTask } from '../kernels/task.js';
import { preview } from '../kernels/decimal.js';
import { NumericInputError, parseNumeric } from '../kernels/numeric.js';
import { predictDigits } from '../kernels/size.js';
import type { LogWriter } from '../logs/logWriter.js';
import type { DigitBudget } from './budget.js';
import type { CalculationOutcome, CalculationRequest } from './calculation.js';

export interface CalculatorDeps {
  pool: ComputePool;
  cache: ResultCache;
  logWriter: LogWriter;
}

export type Calculate = (
  request: CalculationRequest,
  caller: Caller,
  budget: DigitBudget,
) => Promise<CalculationOutcome>;

/** Turns GraphQL arguments into a kernel task, naming the argument that breaks a rule. */
function toTask(request: CalculationRequest): ComputeTask {
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
  assertTask(task);
  return task;
}

function numericArgument(argument: string, text: string) {
  try {
    return parseNumeric(text);
  } catch (error) {
    if (error instanceof NumericInputError) throw badUserInput(argument, error.message);
    throw error;
  }
}

function asGraphQLError(error: unknown): unknown {
  if (error instanceof DomainError) return badUserInput(error.argument, error.message);
  if (error instanceof ComputationTimeoutError) {
    return new GraphQLError(error.message, { extensions: { code: ErrorCode.ComputationTimeout } });
  }
  return error;
}

function rawInput(request: CalculationRequest): string {
  const { operation: _operation, ...args } = request;
  return JSON.stringify(args).slice(0, 1024);
}

export function createCalculator({ pool, cache, logWriter }: CalculatorDeps): Calculate {
  return async (request, caller, budget) => {
    const started = performance.now();
    let input = rawInput(request);
    try {
      const task = toTask(request);
      input = canonicalInput(task);
      budget.reserve(predictDigits(task));
      const key = cacheKey(request.operation, input);
      let computed = await cache.get(key);
      const cached = computed !== undefined;
      if (!computed) {
        computed = await pool.run(task);
        await cache.set(key, {
          result: computed.result,
          exact: computed.exact,
          digits: computed.digits,
        });
      }
      const durationMs = performance.now() - started;
      const log = await logWriter.write({
        userId: caller.id,
        username: caller.username,
        operation: request.operation,
        input,
        resultPreview: preview(computed.result),
        digits: computed.digits,
        cached,
        durationMs,
        status: 'ok',
      });
      return {
        operation: request.operation,
        input,
        result: computed.result,
        exact: computed.exact,
        digits: computed.digits,
        cached,
        durationMs,
        log,
      };
    } catch (caught) {
      const error = asGraphQLError(caught);
      await logWriter
        .write({
          userId: caller.id,
          username: caller.username,
          operation: request.operation,
          input,
          resultPreview: '',
          digits: 0,
          cached: false,
          durationMs: performance.now() - started,
          status: codeOf(error) ?? ErrorCode.Internal,
        })
        .catch(() => undefined); // the request's own error matters more than its log row
      throw error;
    }
  };
}
