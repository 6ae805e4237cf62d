import type { GraphQLResolveInfo } from 'graphql';
import type { CalculateOptions, Calculate } from '../calculations/calculator.js';
import { requireCaller } from './caller.js';
import { selectsSubfield } from '@microservice-math/shared/selection';
import type { MathContext } from '../context.js';
import type { QueryResolvers } from '../generated/resolvers.js';
import type { LogQueries } from '../logs/logQueries.js';
import { readRecentLogs } from '../logs/logReadsFirst.js';
import type { CalculationField } from '../operations/operation.js';
import { operationList } from '../operations/registry.js';

/**
 * Writing a big result in decimal is most of its cost: only when `result` is selected. The
 * budget plugin has planned the field under its response key (root fields' path key). The
 * request's signal stops the computation when the caller goes away or its deadline passes. The
 * request id (the router's, kept when it retries), or the client's idempotency key (kept across
 * its own attempts), and the response key make the log's key.
 */
function calculateOptions(
  info: GraphQLResolveInfo,
  { plan, signal, requestId, idempotencyKey }: MathContext,
): CalculateOptions {
  const responseKey = String(info.path.key);
  return {
    text: selectsSubfield(info, 'result'),
    planned: plan.get(responseKey),
    ...(signal ? { signal } : {}),
    logKey: { requestId, responseKey, idempotencyKey },
  };
}

/** One resolver per registered operation, each under its own Query field. */
function calculationResolvers(calculate: Calculate): Pick<QueryResolvers, CalculationField> {
  const resolvers = operationList.map(({ operation, field }) => {
    const resolve = (
      _parent: unknown,
      args: Readonly<Record<string, unknown>>,
      context: MathContext,
      info: GraphQLResolveInfo,
    ) =>
      calculate(
        { operation, args },
        requireCaller(context.caller),
        context.budget,
        calculateOptions(info, context),
      );
    return [field, resolve] as const;
  });
  return Object.fromEntries(resolvers) as Pick<QueryResolvers, CalculationField>;
}

export function queryResolvers(calculate: Calculate, logQueries: LogQueries): QueryResolvers {
  return {
    ...calculationResolvers(calculate),
    // Read before the operation ran (logReadsFirst.ts); read here only if that plugin is absent.
    recentLogs: (_parent, args, context, info) =>
      context.logReads.get(String(info.path.key)) ?? readRecentLogs(logQueries, context, args),
  };
}
