import { unauthenticated } from '@microservice-math/shared/errors';
import type { Caller } from '@microservice-math/shared/routerContext';
import type { GraphQLResolveInfo } from 'graphql';
import type { CalculateOptions, Calculate } from '../calculations/calculator.js';
import { selectsSubfield } from '@microservice-math/shared/selection';
import type { QueryResolvers } from '../generated/resolvers.js';
import { checkLimit, recentLogsOf } from '../logs/logQueries.js';

export function requireCaller(caller: Caller | null): Caller {
  if (!caller) throw unauthenticated('Sign in to use math: send Authorization: Bearer TOKEN');
  return caller;
}

/**
 * Writing a big result in decimal is most of its cost: only when `result` is selected. The
 * request's signal stops the computation when the caller goes away or its deadline passes.
 */
function calculateOptions(info: GraphQLResolveInfo, signal?: AbortSignal): CalculateOptions {
  return { text: selectsSubfield(info, 'result'), ...(signal ? { signal } : {}) };
}

export function queryResolvers(calculate: Calculate): QueryResolvers {
  return {
    power: (_parent, { base, exponent }, { caller, budget, signal }, info) =>
      calculate(
        { operation: 'POWER', base, exponent },
        requireCaller(caller),
        budget,
        calculateOptions(info, signal),
      ),
    factorial: (_parent, { n }, { caller, budget, signal }, info) =>
      calculate(
        { operation: 'FACTORIAL', n },
        requireCaller(caller),
        budget,
        calculateOptions(info, signal),
      ),
    fibonacci: (_parent, { n }, { caller, budget, signal }, info) =>
      calculate(
        { operation: 'FIBONACCI', n },
        requireCaller(caller),
        budget,
        calculateOptions(info, signal),
      ),
    recentLogs: (_parent, { limit, before }, { caller, em }) =>
      recentLogsOf(em, requireCaller(caller).id, checkLimit(limit), before),
  };
}
