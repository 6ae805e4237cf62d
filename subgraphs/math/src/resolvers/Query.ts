import { unauthenticated } from '@microservice-math/shared/errors';
import type { Caller } from '@microservice-math/shared/routerContext';
import type { GraphQLResolveInfo } from 'graphql';
import type { CalculateOptions, Calculate } from '../calculations/calculator.js';
import { selectsSubfield } from '@microservice-math/shared/selection';
import type { QueryResolvers } from '../generated/resolvers.js';
import { DEFAULT_PRECISION } from '../kernels/power.js';
import { checkLimit, recentLogsOf } from '../logs/logQueries.js';

export function requireCaller(caller: Caller | null): Caller {
  if (!caller) throw unauthenticated('Sign in to use math: send Authorization: Bearer TOKEN');
  return caller;
}

/** Writing a big result in decimal is most of its cost: only when `result` is selected. */
function calculateOptions(info: GraphQLResolveInfo): CalculateOptions {
  return { text: selectsSubfield(info, 'result') };
}

export function queryResolvers(calculate: Calculate): QueryResolvers {
  return {
    power: (_parent, { base, exponent, precision }, { caller, budget }, info) =>
      calculate(
        { operation: 'POWER', base, exponent, precision: precision ?? DEFAULT_PRECISION },
        requireCaller(caller),
        budget,
        calculateOptions(info),
      ),
    factorial: (_parent, { n }, { caller, budget }, info) =>
      calculate(
        { operation: 'FACTORIAL', n },
        requireCaller(caller),
        budget,
        calculateOptions(info),
      ),
    fibonacci: (_parent, { n }, { caller, budget }, info) =>
      calculate(
        { operation: 'FIBONACCI', n },
        requireCaller(caller),
        budget,
        calculateOptions(info),
      ),
    recentLogs: (_parent, { limit }, { caller, em }) =>
      recentLogsOf(em, requireCaller(caller).id, checkLimit(limit)),
  };
}
