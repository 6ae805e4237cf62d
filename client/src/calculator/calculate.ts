/**
 * Sends one calculation. Results are not cached by Apollo: every request is meant to reach the
 * server (which has its own cache and writes a log each time), and a million-digit string has
 * no business being normalised. The AbortSignal cancels the HTTP request itself.
 */
import type { ApolloClient } from '@apollo/client/core';
import { getFragmentData, graphql } from '../gql';
import type { CalculationRequest } from './calculationArguments';

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

const PowerQuery = graphql(/* GraphQL */ `
  query Power($base: Numeric!, $exponent: Numeric!) {
    power(base: $base, exponent: $exponent) {
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

export async function calculate(
  apollo: ApolloClient<unknown>,
  request: CalculationRequest,
  signal: AbortSignal,
) {
  const options = {
    fetchPolicy: 'no-cache',
    // Two identical requests in a row are two calculations (and two logs), not one.
    context: { fetchOptions: { signal }, queryDeduplication: false },
  } as const;
  switch (request.operation) {
    case 'POWER': {
      const { data } = await apollo.query({
        query: PowerQuery,
        variables: request.variables,
        ...options,
      });
      return getFragmentData(CalculatorPanelFragment, answered(data.power));
    }
    case 'FACTORIAL': {
      const { data } = await apollo.query({
        query: FactorialQuery,
        variables: request.variables,
        ...options,
      });
      return getFragmentData(CalculatorPanelFragment, answered(data.factorial));
    }
    case 'FIBONACCI': {
      const { data } = await apollo.query({
        query: FibonacciQuery,
        variables: request.variables,
        ...options,
      });
      return getFragmentData(CalculatorPanelFragment, answered(data.fibonacci));
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
