import { DateTimeScalar, NumericScalar } from '@microservice-math/shared/scalars';
import type { Calculate } from '../calculations/calculator.js';
import type { LogQueries } from '../logs/logQueries.js';
import type { Resolvers } from '../generated/resolvers.js';
import { Calculation } from './Calculation.js';
import { queryResolvers } from './Query.js';
import { RequestLog } from './RequestLog.js';
import { User } from './User.js';

export function createResolvers(calculate: Calculate, logQueries: LogQueries): Resolvers {
  return {
    DateTime: DateTimeScalar,
    Numeric: NumericScalar,
    Query: queryResolvers(calculate, logQueries),
    Calculation,
    User,
    RequestLog,
  };
}
