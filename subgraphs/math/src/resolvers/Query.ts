import { unauthenticated } from '@microservice-math/shared/errors';
import type { Caller } from '@microservice-math/shared/routerContext';
import type { Calculate } from '../calculations/calculator.js';
import type { QueryResolvers } from '../generated/resolvers.js';
import { checkLimit, recentLogsOf } from '../logs/logQueries.js';

export function requireCaller(caller: Caller | null): Caller {
  if (!caller) throw unauthenticated('Sign in to use math: send Authorization: Bearer TOKEN');
  return caller;
}

export function queryResolvers(calculate: Calculate): QueryResolvers {
  return {
    power: (_parent, { base, exponent }, { caller, budget }) =>
      calculate({ operation: 'POWER', base, exponent }, requireCaller(caller), budget),
    factorial: (_parent, { n }, { caller, budget }) =>
      calculate({ operation: 'FACTORIAL', n }, requireCaller(caller), budget),
    fibonacci: (_parent, { n }, { caller, budget }) =>
      calculate({ operation: 'FIBONACCI', n }, requireCaller(caller), budget),
    recentLogs: (_parent, { limit }, { caller, em }) =>
      recentLogsOf(em, requireCaller(caller).id, checkLimit(limit)),
  };
}
