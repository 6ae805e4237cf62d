/**
 * One calculation request from start to log: check the arguments, predict the size against the
 * operation's digit budget, answer from the cache or the compute pool, and log the request
 * (answered or refused) before answering.
 */
import {
  CallerGoneError,
  DeadlinePassedError,
  pendingCloseRead,
} from '@microservice-math/shared/cancellation';
import {
  badUserInput,
  cancelled,
  codeOf,
  computationTimeout,
  ErrorCode,
  serviceUnavailable,
} from '@microservice-math/shared/errors';
import type { Caller } from '@microservice-math/shared/routerContext';
import { inSpan } from '@microservice-math/shared/tracing';
import { cacheKey, type CachedResult, type ResultCache } from '../cache/resultCache.js';
import {
  ComputationCrashedError,
  ComputationTimeoutError,
  PoolClosedError,
  type ComputePool,
} from '../compute/pool.js';
import { DomainError } from '../kernels/errors.js';
import { largestFitting } from '../kernels/power.js';
import type { ComputeTask, Operation } from '../kernels/task.js';
import type { LogKey, LogWriter } from '../logs/logWriter.js';
import { LogWriteAbandonedError } from '../logs/logWriteAbandoned.js';
import type { DigitBudget, PrecisionAdvice } from './budget.js';
import { predictDigits } from '../operations/registry.js';
import { digitCount } from '../kernels/decimal.js';
import type { DigitRange } from '../kernels/size.js';
import type { CalculationOutcome, CalculationRequest } from './calculation.js';
import { planCalculation, type PlannedCalculation } from './plan.js';
import { createSharedComputations, type SharedComputations } from './sharedComputation.js';

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
  /** Identical computations in flight share one; default: within this process only. */
  shared?: SharedComputations;
}

export interface CalculateOptions {
  /** The caller selected `result`: the decimal text must be written (or come from the cache). */
  text: boolean;
  /** This field's entry in the operation's plan; planned here when the plugin could not. */
  planned?: PlannedCalculation | undefined;
  /** Aborts when the caller went away or its deadline passed: the computation is stopped. */
  signal?: AbortSignal;
  /** Logs this calculation once however often the router retries its request (logWriter.ts). */
  logKey?: LogKey;
}

export type Calculate = (
  request: CalculationRequest,
  caller: Caller,
  budget: DigitBudget,
  options: CalculateOptions,
) => Promise<CalculationOutcome>;

function asGraphQLError(error: unknown): unknown {
  if (error instanceof LogWriteAbandonedError) {
    // The answer was ready but its log row had not committed by math's deadline (a database
    // that hangs): refused while the router still waits, rather than left to its timeout, as
    // the log writer decided (its row says the same code).
    return error.refusal;
  }
  if (error instanceof DomainError) return badUserInput(error.argument, error.message);
  if (error instanceof CallerGoneError) return cancelled();
  if (error instanceof ComputationTimeoutError || error instanceof DeadlinePassedError) {
    return computationTimeout(error.message);
  }
  // Stopped, or never started, because this instance is shutting down (its grace ran out): no
  // fault of the request's, and another instance, or this one restarted, can take it.
  if (error instanceof PoolClosedError) {
    const refusal = serviceUnavailable(SHUTTING_DOWN, 1);
    shutdownRefusals.add(refusal);
    return refusal;
  }
  return error;
}

const SHUTTING_DOWN = 'The math service is shutting down; send the calculation again';

/** The refusals asGraphQLError made for this instance's shutdown (see isShutdownRefusal). */
const shutdownRefusals = new WeakSet<object>();

/**
 * Whether `error` is a calculation's refusal because this instance is shutting down: its
 * request may be sent again, whole, to another instance (shutdownRefusalPlugin.ts), and its log
 * row is replaced by that attempt's answer (logWriter.ts).
 */
export function isShutdownRefusal(error: unknown): boolean {
  return typeof error === 'object' && error !== null && shutdownRefusals.has(error);
}

/**
 * Most digits an estimate may be above the limit and still leave the decision to the exact size:
 * an exact answer's estimate is at most 1 digit off, a rounded one's trailing zeros are unknown.
 */
const NEAR_LIMIT_DIGITS = 2;

/**
 * A prediction that might fit: its low end fits and its high end is at most a digit or two past
 * the budget. Then the result is computed and its exact size decides; further off, or when even
 * the least it could be is too much, the estimate refuses before anything is computed.
 */
function isNearLimit(prediction: DigitRange, budget: DigitBudget): boolean {
  return budget.fits(prediction.low) && budget.fits(prediction.high - NEAR_LIMIT_DIGITS);
}

/** What a result takes from the budget: the digits of its result and of its fraction. */
function budgetedDigits({ digits, fraction }: CachedResult): number {
  return digits + (fraction === undefined ? 0 : digitCount(fraction));
}

/**
 * The precision a computed rounded power was asked for, when asking fewer significant digits
 * would write fewer digits one for one: its text has a fractional part. Not for exact answers
 * (precision does not touch them) nor for a rounded answer written as a whole number (its
 * integer part is written in full whatever the precision).
 */
function precisionThatCounts(task: ComputeTask, found: CachedResult): PrecisionAdvice | undefined {
  if (task.operation !== 'POWER' || found.exact) return undefined;
  const asked = task.args.precision;
  return (found.result ?? found.preview).includes('.')
    ? { asked, fitting: (over) => asked - over }
    : undefined;
}

/**
 * The same for a power refused on its prediction, before anything is computed: the largest
 * precision whose predicted digits (at most `predicted`) are `over` fewer, asked of the predictor
 * itself, so that what it suggests is admitted. None when precision does not change the
 * prediction (an exact answer, a whole number written in full).
 */
function predictedPrecisionAdvice(
  task: ComputeTask,
  predicted: number,
): PrecisionAdvice | undefined {
  if (task.operation !== 'POWER') return undefined;
  const asked = task.args.precision;
  const digitsAt = (precision: number) =>
    predictDigits({ operation: 'POWER', args: { ...task.args, precision } });
  return {
    asked,
    fitting(over) {
      const target = predicted - over;
      if (digitsAt(1) > target) return undefined;
      // Digits grow with the precision; 1 fits, `asked` does not.
      return largestFitting(1, asked, (precision) => digitsAt(precision) <= target);
    },
  };
}

function outcomeOf(error: unknown): ComputationOutcome {
  if (error instanceof ComputationTimeoutError) return 'timeout';
  if (error instanceof ComputationCrashedError) return 'crashed';
  return 'failed';
}

export function createCalculator({
  pool,
  cache,
  logWriter,
  observer,
  shared = createSharedComputations(),
}: CalculatorDeps): Calculate {
  async function compute(
    task: ComputeTask,
    predictedDigits: number,
    text: boolean,
    signal: AbortSignal | undefined,
    owner: string,
  ): Promise<CachedResult> {
    const started = performance.now();
    try {
      const { result, exact, fraction, digits, preview } = await inSpan(
        'math',
        'math.compute',
        { 'math.operation': task.operation, 'math.text': text },
        // Users take turns at the threads (see pool.ts): one user's backlog cannot starve another.
        () => pool.run(task, { text, predictedDigits, owner, ...(signal ? { signal } : {}) }),
      );
      observer?.computed(task.operation, 'ok', (performance.now() - started) / 1000);
      return { result, exact, ...(fraction === undefined ? {} : { fraction }), digits, preview };
    } catch (error) {
      observer?.computed(task.operation, outcomeOf(error), (performance.now() - started) / 1000);
      throw error;
    }
  }

  /** From the cache when it holds what this request needs, else computed and cached. */
  async function answer(
    { task, input, predictedDigits }: PlannedCalculation & { ok: true },
    text: boolean,
    signal: AbortSignal | undefined,
    owner: string,
  ): Promise<{ answer: CachedResult; cached: boolean }> {
    const key = cacheKey(task.operation, input);
    const hit = await inSpan('math', 'math.cache.get', {}, async (span) => {
      const found = await cache.get(key);
      span.setAttribute('math.cache.hit', found !== undefined);
      return found;
    });
    const serves = (found: CachedResult | undefined) =>
      found && (found.result !== undefined || !text) ? found : undefined;
    if (serves(hit)) {
      observer?.cacheLookup('hit');
      return { answer: hit as CachedResult, cached: true };
    }
    observer?.cacheLookup('miss');
    // One computation for every identical request in flight, here and on other instances;
    // `signal` only stops this request's wait (see sharedComputation.ts).
    return shared.run(key, text, signal, {
      async compute(sharedSignal) {
        const computed = await compute(task, predictedDigits.high, text, sharedSignal, owner);
        await cache.set(key, computed);
        return computed;
      },
      lookup: async () => serves(await cache.get(key)),
    });
  }

  return async (
    request,
    caller,
    budget,
    { text, signal, logKey, planned = planCalculation(request, budget.maxDigits) },
  ) => {
    const started = performance.now();
    const { input } = planned;
    try {
      if (!planned.ok) throw planned.error;
      if (signal) {
        // A request whose caller closed its connection while this process did not run (frozen,
        // stalled) has that close queued behind it: seen now, it is neither computed nor, being
        // quick to answer from the cache, answered and logged `ok` to nobody.
        await pendingCloseRead();
        signal.throwIfAborted();
      }
      const prediction = planned.predictedDigits;
      const decidedBySize = !budget.fits(prediction.high) && isNearLimit(prediction, budget);
      if (!decidedBySize)
        budget.reserve(
          prediction.high,
          predictedPrecisionAdvice(planned.task, prediction.high),
          prediction.withFraction === true,
        );
      const { answer: found, cached } = await answer(planned, text, signal, caller.id);
      if (decidedBySize)
        budget.reserve(
          budgetedDigits(found),
          precisionThatCounts(planned.task, found),
          found.fraction !== undefined,
        );
      // Never log `ok` for an answer its caller will not get.
      signal?.throwIfAborted();
      const durationMs = performance.now() - started;
      const log = await inSpan('math', 'math.log.write', {}, () =>
        logWriter.write(
          {
            userId: caller.id,
            username: caller.username,
            operation: request.operation,
            input,
            resultPreview: found.preview,
            digits: found.digits,
            cached,
            durationMs,
            status: 'ok',
            key: logKey,
          },
          { signal },
        ),
      );
      return {
        operation: request.operation,
        input,
        result: found.result,
        exact: found.exact,
        fraction: found.fraction ?? null,
        digits: found.digits,
        // As logged: a retry under the same key (router or Idempotency-Key) is answered with the
        // row its first attempt stored, and says what that attempt did, not what the retry did.
        cached: log.cached,
        durationMs: log.durationMs,
        log,
      };
    } catch (caught) {
      const error = asGraphQLError(caught);
      // Its row is the abandoned write's, stored with its refusal's code once the database answers.
      if (caught instanceof LogWriteAbandonedError) throw error;
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
          key: logKey,
        })
        .catch(() => undefined); // the request's own error matters more than its log row
      throw error;
    }
  };
}
