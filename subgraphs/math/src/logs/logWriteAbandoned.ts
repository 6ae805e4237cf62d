/**
 * The error a log write is given up with (logWriter.ts), in a module of its own: the calculator
 * tells it apart from other failures, and the logging benchmark's do-nothing writer replaces
 * logWriter.ts alone (bench/logging/noopLogWriterHooks.ts), which must leave this class in place.
 */

import type { GraphQLError } from 'graphql';

/**
 * An `ok` write given up before its batch committed (WriteOptions.signal aborted); `reason` is
 * the signal's, `refusal` what its caller is to be told (SERVICE_UNAVAILABLE at math's deadline,
 * CANCELLED for a caller gone). Its row is still stored, with that refusal's code, and
 * published; its caller must not write a refusal row of its own for it.
 */
export class LogWriteAbandonedError extends Error {
  override name = 'LogWriteAbandonedError';
  constructor(
    readonly reason: unknown,
    readonly refusal: GraphQLError,
  ) {
    super('the request log write was abandoned before its batch committed');
  }
}
