/**
 * What the math subgraph needs to know about one operation, in one module per operation: how the
 * Query field's arguments become kernel arguments, the domain check, the canonical input that
 * names the request in cache keys and logs, the size prediction and the computation itself.
 * Everything else (the budget, the cache, the pool, the logs, the resolvers) iterates over the
 * registry in ./registry.ts, so adding an operation is one module here plus its schema lines.
 *
 * These modules are loaded in every compute worker: they must stay free of GraphQL, config and
 * logging. Bad arguments are `DomainError`s naming the argument; the GraphQL layer turns them
 * into `BAD_USER_INPUT`.
 */
import type { Calculation, Query } from '@microservice-math/shared/generated/mathTypes';
import type { Decimal } from '../kernels/numeric.js';
import type { Rational } from '../kernels/rational.js';
import type { DigitRange } from '../kernels/size.js';
import type { Operation, OperationArgs } from '../kernels/task.js';

/** The Query fields that answer a `Calculation`: the ones an operation module can serve. */
export type CalculationField = {
  [F in keyof Query]-?: NonNullable<Query[F]> extends Calculation ? F : never;
}[keyof Query];

/**
 * A result before it is written out: a decimal, exact or rounded (an inexact power, to its
 * precision), and for a rational answer with no finite decimal its fraction in lowest terms.
 */
export interface ResultValue {
  decimal: Decimal;
  exact: boolean;
  fraction?: Rational;
}

export interface OperationModule<O extends Operation> {
  readonly operation: O;
  /** The Query field that asks for this operation in schema/math.graphql. */
  readonly field: CalculationField;
  /**
   * The field's coerced GraphQL arguments as kernel arguments, parsed exactly once per request;
   * throws `DomainError` naming the argument that does not parse.
   */
  parseArguments(args: Readonly<Record<string, unknown>>): OperationArgs[O];
  /**
   * Throws `DomainError` when the arguments are outside the operation's domain; `maxDigits`, the
   * most digits an answer may have, bounds what a refusal suggests asking for instead.
   */
  assertArguments(args: OperationArgs[O], maxDigits?: number): void;
  /**
   * The canonical JSON of the arguments: fixed key order, integers as JSON numbers, `Numeric`
   * values as their canonical text, so every spelling of one request gives one string.
   */
  canonicalInput(args: OperationArgs[O]): string;
  /**
   * Digits of the result (and of its fraction, when it has one) as a range: exact or nearly so
   * for exact answers, wider for rounded ones (see kernels/size.ts).
   */
  predictDigits(args: OperationArgs[O]): DigitRange;
  /**
   * Digits of the largest numbers the computation works on, when they can be far longer than
   * its result (a root's, see `rootWorkDigits`); the pool runs inline only what is small both
   * ways. Absent: the result is the largest.
   */
  workDigits?(args: OperationArgs[O]): number;
  /** The result itself; the caller has bounded its size first. */
  compute(args: OperationArgs[O]): ResultValue;
}
