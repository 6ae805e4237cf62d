/**
 * One calculation request from start to log: check the arguments, predict the size against the
 * operation's digit budget, answer from the cache or the compute pool, and log the request
 * (answered or refused) before answering.
 */
import { badUserInput, codeOf, ErrorCode } from '@microservice-math/shared/errors';
import type { Caller } from '@microservice-math/shared/routerContext';
import { inSpan } from '@microservice-math/shared/tracing';
import { GraphQLError } from 'graphql';
import { cacheKey, type CachedResult, type ResultCache } from '../cache/resultCache.js';
import {
  ComputationCrashedError,
  ComputationTimeoutError,
  type ComputePool,
} from '../compute/pool.js';
import { DomainError } from '../kernels/errors.js';
import { canonicalInput, type ComputeTask, type Operation } from '../kernels/task.js';
import type { LogWriter } from '../logs/logWriter.js';
import { predictedDigits, toTask } from './arguments.js';
import type { DigitBudget } from './budget.js';
import type { CalculationOutcome, CalculationRequest } from './calculation.js';

export type ComputationOutcome = 'ok' | 'timeout' | 'crashed' | 'failed';

/** What the calculator reports as it goes, for metrics. */
export interface CalculatorObserver {
  cacheLookup(outcome: 'hit' | 'miss'): void;
  computed(operation: Operation, outcome: ComputationOutcome, seconds: number): void;
}

export interface CalculatorDeps {
  pool: ComputePool;
  cache: ResultCache;
  logWriter: LogWriter;
  observer?: CalculatorObserver;
}

export interface CalculateOptions {
  /** The caller selected `result`: the decimal text must be written (or come from the cache). */
  text: boolean;
}

export type Calculate = (
  request: CalculationRequest,
  caller: Caller,
  budget: DigitBudget,
  options: CalculateOptions,
) => Promise<CalculationOutcome>;

function asGraphQLError(error: unknown): unknown {
  if (error instanceof DomainError) return badUserInput(error.argument, error.message);
  if (error instanceof ComputationTimeoutError) {
    return new GraphQLError(error.message, { extensions: { code: ErrorCode.ComputationTimeout } });
  }
  return error;
}

function outcomeOf(error: unknown): ComputationOutcome {
  if (error instanceof ComputationTimeoutError) return 'timeout';
  if (error instanceof ComputationCrashedError) return 'crashed';
  return 'failed';
}

function rawInput(request: CalculationRequest): string {
  const { operation: _operation, ...args } = request;
  return JSON.stringify(args); // the log writer cuts it to the column's width
}

export function createCalculator({ pool, cache, logWriter, observer }: CalculatorDeps): Calculate {
  async function compute(task: ComputeTask, text: boolean, owner: string): Promise<CachedResult> {
    const started = performance.now();
    try {
      const { result, exact, digits, preview } = await inSpan(
        'math',
        'math.compute',
        { 'math.operation': task.operation, 'math.text': text },
        // Users take turns at the threads (see pool.ts): one user's backlog cannot starve another.
        () => pool.run(task, { text, owner }),
      );
      observer?.computed(task.operation, 'ok', (performance.now() - started) / 1000);
      return { result, exact, digits, preview };
    } catch (error) {
      observer?.computed(task.operation, outcomeOf(error), (performance.now() - started) / 1000);
      throw error;
    }
  }

  /** From the cache when it holds what this request needs, else computed and cached. */
  async function answer(
    task: ComputeTask,
    input: string,
    text: boolean,
    owner: string,
  ): Promise<{ answer: CachedResult; cached: boolean }> {
    const key = cacheKey(task.operation, input);
    const hit = await inSpan('math', 'math.cache.get', {}, async (span) => {
      const found = await cache.get(key);
      span.setAttribute('math.cache.hit', found !== undefined);
      return found;
    });
    if (hit && (hit.result !== undefined || !text)) {
      observer?.cacheLookup('hit');
      return { answer: hit, cached: true };
    }
    observer?.cacheLookup('miss');
    const computed = await compute(task, text, owner);
    await cache.set(key, computed);
    return { answer: computed, cached: false };
  }

  return async (request, caller, budget, { text }) => {
    const started = performance.now();
    let input = rawInput(request);
    try {
      const task = toTask(request);
      input = canonicalInput(task);
      budget.reserve(predictedDigits(task));
      const { answer: found, cached } = await answer(task, input, text, caller.id);
      const durationMs = performance.now() - started;
      const log = await inSpan('math', 'math.log.write', {}, () =>
        logWriter.write({
          userId: caller.id,
          username: caller.username,
          operation: request.operation,
          input,
          resultPreview: found.preview,
          digits: found.digits,
          cached,
          durationMs,
          status: 'ok',
        }),
      );
      return {
        operation: request.operation,
        input,
        result: found.result,
        exact: found.exact,
        digits: found.digits,
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
