/**
 * Sends one calculation. Results are not cached by Apollo: every request is meant to reach the
 * server (which has its own cache and writes a log each time), and a million-digit string has
 * no business being normalised. The AbortSignal cancels the HTTP request itself. A request
 * whose connection failed is sent again by itself, with its key (`calculateResending`).
 */
import type { ApolloClient } from '@apollo/client/core';
import { IDEMPOTENCY_KEY_HEADER_NAME } from '@microservice-math/shared/idempotencyKey';
import { getFragmentData, graphql, type FragmentType } from '../gql';
import type { Operation } from '../gql/graphql';
import type { CalculationRequest } from './calculationArguments';
import { outcomeInDoubt } from './calculationKeys';
import type { CalculationVariables } from './operations';

/** What the panel itself reads (for its announcement and the log list), plus what it renders. */
const CalculatorPanelFragment = graphql(/* GraphQL */ `
  fragment CalculatorPanel_Calculation on Calculation {
    operation
    input
    digits
    exact
    cached
    durationMs
    log {
      id
      ...RequestLogRow_RequestLog
    }
    ...CalculationResult_Calculation
  }
`);

// `precision` is the form's Significant digits; left out, the server answers at its default.
const PowerQuery = graphql(/* GraphQL */ `
  query Power($base: Numeric!, $exponent: Numeric!, $precision: Int) {
    power(base: $base, exponent: $exponent, precision: $precision) {
      ...CalculatorPanel_Calculation
    }
  }
`);

const FactorialQuery = graphql(/* GraphQL */ `
  query Factorial($n: Int!) {
    factorial(n: $n) {
      ...CalculatorPanel_Calculation
    }
  }
`);

const FibonacciQuery = graphql(/* GraphQL */ `
  query Fibonacci($n: Int!) {
    fibonacci(n: $n) {
      ...CalculatorPanel_Calculation
    }
  }
`);

type QueryOptions = {
  fetchPolicy: 'no-cache';
  context: {
    fetchOptions: { signal: AbortSignal };
    queryDeduplication: false;
    headers: Record<string, string>;
  };
};

/** Each operation's query, sent with its variables; answers the calculation still masked. */
type CalculationQuery<O extends Operation> = (
  apollo: ApolloClient<unknown>,
  variables: CalculationVariables[O],
  options: QueryOptions,
) => Promise<FragmentType<typeof CalculatorPanelFragment> | null>;

const QUERIES: { readonly [O in Operation]: CalculationQuery<O> } = {
  POWER: async (apollo, variables, options) =>
    (await apollo.query({ query: PowerQuery, variables, ...options })).data.power,
  FACTORIAL: async (apollo, variables, options) =>
    (await apollo.query({ query: FactorialQuery, variables, ...options })).data.factorial,
  FIBONACCI: async (apollo, variables, options) =>
    (await apollo.query({ query: FibonacciQuery, variables, ...options })).data.fibonacci,
};

/**
 * `idempotencyKey` names the calculation across its attempts (calculationKeys.ts): math logs
 * the attempts sent with one key once.
 */
export async function calculate(
  apollo: ApolloClient<unknown>,
  request: CalculationRequest,
  signal: AbortSignal,
  idempotencyKey: string,
) {
  const options: QueryOptions = {
    fetchPolicy: 'no-cache',
    // Two identical requests in a row are two calculations (and two logs), not one.
    context: {
      fetchOptions: { signal },
      queryDeduplication: false,
      headers: { [IDEMPOTENCY_KEY_HEADER_NAME]: idempotencyKey },
    },
  };
  // The request's variables are its operation's; TypeScript cannot correlate the two.
  const query = QUERIES[request.operation] as CalculationQuery<Operation>;
  const answer = await query(apollo, request.variables as never, options);
  return getFragmentData(CalculatorPanelFragment, answered(answer));
}

/**
 * Pauses before each automatic resend of a calculation whose outcome is in doubt: long enough
 * for the web app's proxy or a load balancer to move to another router, short enough that a
 * user waiting for the answer barely notices one lost connection.
 */
export const RESEND_DELAYS_MS: readonly number[] = [500, 1_500, 3_000];

/**
 * How long after its answer the same calculation submitted again (Enter pressed twice on one
 * answered in a few milliseconds) is taken for the same press, and not sent: a person asking for
 * it again on purpose does so later than that (CalculatorPanel's lastAnswered).
 */
export const DOUBLE_SUBMIT_MS = 1_000;

export interface ResendOptions {
  /** One pause per resend; no more resends than pauses. */
  delaysMs?: readonly number[];
  /** Told before each pause: resend `attempt` of `of` follows the failure `error`. */
  onResend?: (attempt: number, of: number, error: unknown) => void;
}

/** Resolves after `ms`; rejects with the signal's reason (an AbortError) once it aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * `calculate`, sent again by itself when the router gave no answer at all (the connection
 * failed: a router or the proxy to it died, possibly after math answered). Every attempt carries
 * the same `idempotencyKey`, so math logs the calculation once however many attempts reached it.
 * An answer, an error with a contract code or a cancellation ends it; after the last pause the
 * failure is the caller's to show.
 */
export async function calculateResending(
  apollo: ApolloClient<unknown>,
  request: CalculationRequest,
  signal: AbortSignal,
  idempotencyKey: string,
  { delaysMs = RESEND_DELAYS_MS, onResend }: ResendOptions = {},
): Promise<Calculation> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await calculate(apollo, request, signal, idempotencyKey);
    } catch (error) {
      const delay = delaysMs[attempt];
      if (delay === undefined || signal.aborted || !outcomeInDoubt(error)) throw error;
      onResend?.(attempt + 1, delaysMs.length, error);
      await pause(delay, signal);
    }
  }
}

/**
 * The math fields are nullable so that one refused field leaves its siblings' answers; a null
 * one always comes with its error, which Apollo throws first (errorPolicy "none").
 */
function answered<T>(calculation: T | null): T {
  if (calculation === null) throw new Error('The server sent no calculation and no error');
  return calculation;
}

export type Calculation = Awaited<ReturnType<typeof calculate>>;
