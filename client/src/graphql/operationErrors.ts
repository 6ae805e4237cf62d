/**
 * Turns what a failed operation threw into what the user should read, and where: next to the
 * field an error concerns, or above the form. The codes and extensions are the contract's.
 */
import { ErrorCode } from '@microservice-math/shared/errorCodes';
import { isRecord } from '@microservice-math/shared/records';
import type { GraphQLFormattedError } from 'graphql';
import { formatCount, formatWait } from '../format/format';

/** Codes by which the server declines to do the work (as opposed to failing at it). */
const REFUSAL_CODES: ReadonlySet<string> = new Set([
  ErrorCode.ResultTooLarge,
  ErrorCode.RateLimited,
  ErrorCode.CostLimitExceeded,
  ErrorCode.ServiceUnavailable,
]);

/** True when the server refused the request by one of the contract's refusal codes. */
export function isRefusal(error: unknown): boolean {
  return graphQLErrorsOf(error).some((graphQLError) =>
    REFUSAL_CODES.has(codeOf(graphQLError) ?? ''),
  );
}

/** Codes of a server that could not do it now but may shortly: worth asking again. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  ErrorCode.ServiceUnavailable,
  ErrorCode.RateLimited,
  ErrorCode.Internal,
]);

/**
 * True when the request was not answered (no connection, a server error status) or answered by a
 * code that says "not now"; false when the server answered and declined for good (a refused
 * token, an operation it does not know).
 */
export function isTransient(error: unknown): boolean {
  const errors = graphQLErrorsOf(error);
  if (errors.some((graphQLError) => TRANSIENT_CODES.has(codeOf(graphQLError) ?? ''))) return true;
  const network = isRecord(error) ? error['networkError'] : undefined;
  if (!isRecord(network)) return false;
  const status = network['statusCode'];
  if (typeof status === 'number') return status >= 500 || status === 429;
  return errors.length === 0;
}

export const UNREACHABLE_MESSAGE =
  'The server could not be reached. Check your connection and try again.';

/**
 * Statuses by which a proxy in front of the router (the web app's own server, a load balancer)
 * says that it, not the router, answered: the router could not be reached.
 */
const GATEWAY_FAILURE_STATUSES: ReadonlySet<number> = new Set([502, 504]);

/**
 * True when no router answered the request: there was no HTTP answer at all, or a gateway
 * answered for the router (502 or 504 without a contract code; the web app's server says "The
 * router is not reachable" so). Both read as UNREACHABLE_MESSAGE, one wording for one fact.
 */
export function isUnreachable(error: unknown): boolean {
  const network = isRecord(error) ? error['networkError'] : undefined;
  if (!isRecord(network)) return false;
  if (graphQLErrorsOf(error).some((graphQLError) => codeOf(graphQLError) !== undefined)) {
    return false;
  }
  const status = network['statusCode'];
  return typeof status !== 'number' || GATEWAY_FAILURE_STATUSES.has(status);
}

export interface OperationFailure<Field extends string> {
  /** Messages for the form's own fields, by field name. */
  fields: Partial<Record<Field, string>>;
  /** Messages about the request as a whole. */
  general: string[];
}

/**
 * The GraphQL errors carried by an Apollo error, whether the server answered 200 with `errors`
 * or a 4xx whose body holds them (Apollo reports the latter as a network error).
 */
export function graphQLErrorsOf(error: unknown): readonly GraphQLFormattedError[] {
  if (!isRecord(error)) return [];
  const found: GraphQLFormattedError[] = [];
  for (const key of ['graphQLErrors', 'protocolErrors'] as const) {
    const errors = error[key];
    if (Array.isArray(errors)) found.push(...errors.filter(isFormattedError));
  }
  const network = error['networkError'];
  if (isRecord(network) && isRecord(network['result'])) {
    const errors = network['result']['errors'];
    if (Array.isArray(errors)) found.push(...errors.filter(isFormattedError));
  }
  return found;
}

export function codeOf(error: GraphQLFormattedError): string | undefined {
  const code = error.extensions?.['code'];
  return typeof code === 'string' ? code : undefined;
}

export function hasErrorCode(error: unknown, code: string): boolean {
  return graphQLErrorsOf(error).some((graphQLError) => codeOf(graphQLError) === code);
}

/** True when the request was cancelled by its AbortSignal, or the server says it was cancelled. */
export function isAbortError(error: unknown): boolean {
  if (!isRecord(error)) return false;
  if (hasErrorCode(error, ErrorCode.Cancelled)) return true;
  if (error['name'] === 'AbortError') return true;
  return isRecord(error['networkError']) && error['networkError']['name'] === 'AbortError';
}

/** Refusals that say when to come back (`extensions.retryAfterSeconds`). */
const RETRY_LATER_CODES: ReadonlySet<string> = new Set([
  ErrorCode.RateLimited,
  ErrorCode.ServiceUnavailable,
]);

/** Seconds to wait after a RATE_LIMITED or SERVICE_UNAVAILABLE refusal, if the error is one. */
export function retryAfterSecondsOf(error: unknown): number | undefined {
  for (const graphQLError of graphQLErrorsOf(error)) {
    const seconds = retryAfterSecondsIn(graphQLError);
    if (seconds !== undefined) return seconds;
  }
  return undefined;
}

function retryAfterSecondsIn(error: GraphQLFormattedError): number | undefined {
  const seconds = error.extensions?.['retryAfterSeconds'];
  if (!RETRY_LATER_CODES.has(codeOf(error) ?? '') || typeof seconds !== 'number') return undefined;
  return Math.max(1, Math.ceil(seconds));
}

export interface DescribeOptions {
  /**
   * Where the wait of a refusal that says when to come back goes: in its message (the default),
   * or nowhere, for a page that shows it counting down (the sign-in button).
   */
  wait?: 'in the message' | 'shown elsewhere';
}

/**
 * Sorts an operation's errors into messages for `fields` (a BAD_USER_INPUT naming one of them in
 * `extensions.argument`, or USERNAME_TAKEN for `username`) and general messages (the rest).
 */
export function describeFailure<Field extends string>(
  error: unknown,
  fields: readonly Field[],
  { wait = 'in the message' }: DescribeOptions = {},
): OperationFailure<Field> {
  const failure: OperationFailure<Field> = { fields: {}, general: [] };
  const graphQLErrors = graphQLErrorsOf(error);
  if (graphQLErrors.length === 0 || isUnreachable(error)) {
    failure.general.push(networkMessage(error));
    return failure;
  }
  for (const graphQLError of graphQLErrors) {
    const field = fieldOf(graphQLError, fields);
    if (field !== undefined && failure.fields[field] === undefined) {
      failure.fields[field] = withoutArgumentPrefix(graphQLError.message, field);
    } else {
      failure.general.push(generalMessage(graphQLError, wait));
    }
  }
  return failure;
}

function fieldOf<Field extends string>(
  error: GraphQLFormattedError,
  fields: readonly Field[],
): Field | undefined {
  const code = codeOf(error);
  const named =
    code === ErrorCode.BadUserInput
      ? error.extensions?.['argument']
      : code === ErrorCode.UsernameTaken
        ? 'username'
        : undefined;
  return fields.find((field) => field === named);
}

/** "password: at least 8 characters" reads as "At least 8 characters" under the password field. */
function withoutArgumentPrefix(message: string, field: string): string {
  const prefix = `${field}: `;
  if (!message.startsWith(prefix)) return message;
  const rest = message.slice(prefix.length);
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

/** "Too many attempts; try again in 898 s" without its wait: "Too many attempts". */
function withoutStatedWait(message: string): string {
  return message
    .replace(/[;,.]?\s*try again in [\d.,]+\s*(?:s|seconds?)\.?$/i, '')
    .replace(/\.$/, '');
}

/**
 * The router's words for the user's: a service none of whose instances answers (SERVICE_UNAVAILABLE
 * naming it in `extensions.serviceName`) is "not available", without "subgraph" and "instance".
 */
function plainMessage(error: GraphQLFormattedError): string {
  const serviceName = error.extensions?.['serviceName'];
  if (codeOf(error) === ErrorCode.ServiceUnavailable && typeof serviceName === 'string') {
    return `The ${serviceName} service is not available right now`;
  }
  return error.message;
}

function generalMessage(
  error: GraphQLFormattedError,
  wait: NonNullable<DescribeOptions['wait']>,
): string {
  const extensions = error.extensions ?? {};
  // A wait is said once, in one wording (formatWait), whatever the server's message says.
  const seconds = retryAfterSecondsIn(error);
  if (seconds !== undefined) {
    const reason = `${withoutStatedWait(plainMessage(error))}.`;
    return wait === 'in the message' ? `${reason} Try again in ${formatWait(seconds)}.` : reason;
  }
  switch (codeOf(error)) {
    case ErrorCode.ResultTooLarge: {
      // Add the sizes from the extensions unless the server's message already states sizes
      // ("about 3.01 × 10^19 digits", "more than 10^300 digits"): a second figure would repeat it.
      const { predictedDigits, maxDigits } = extensions;
      if (typeof predictedDigits !== 'number' || typeof maxDigits !== 'number')
        return error.message;
      if (/\d\S*\s+digits\b/.test(error.message)) return error.message;
      return `${error.message} (about ${formatCount(predictedDigits)} digits; the limit is ${formatCount(maxDigits)}.)`;
    }
    case ErrorCode.Internal: {
      const requestId = extensions['requestId'];
      return typeof requestId === 'string'
        ? `${error.message} (request id ${requestId})`
        : error.message;
    }
    default:
      return error.message;
  }
}

function networkMessage(error: unknown): string {
  const network = isRecord(error) ? error['networkError'] : undefined;
  const status = isRecord(network) ? network['statusCode'] : undefined;
  if (typeof status === 'number' && status >= 500 && !isUnreachable(error)) {
    return `The server had a problem (HTTP ${status}). Try again shortly.`;
  }
  return UNREACHABLE_MESSAGE;
}

function isFormattedError(value: unknown): value is GraphQLFormattedError {
  return isRecord(value) && typeof value['message'] === 'string';
}
