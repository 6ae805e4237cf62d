/**
 * `recentLogs` is non-null, so its error nulls the whole answer: a calculation beside it would be
 * computed, logged and published for an answer its caller never gets. Each `recentLogs` of a
 * query is therefore read before any field resolves, and one that fails (a limit out of range, a
 * cursor that is not one of the caller's logs, no caller, the database) refuses the whole
 * operation with its own error, located at that field, before anything else runs. The resolver
 * then answers with the rows already read.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { rootQueryFields, type RootField } from '@microservice-math/shared/selection';
import { GraphQLError, locatedError } from 'graphql';
import type { MathContext } from '../context.js';
import type { QueryRecentLogsArgs } from '../generated/resolvers.js';
import { requireCaller } from '../resolvers/caller.js';
import { checkLimit, type LogQueries } from './logQueries.js';
import type { RequestLogRecord } from './RequestLog.js';

/** Each `recentLogs` field's rows by response key, read before the operation ran. */
export type LogReads = Map<string, RequestLogRecord[]>;

/** The caller's page of logs that `recentLogs(args)` answers; throws what the field refuses. */
export function readRecentLogs(
  logQueries: LogQueries,
  { caller, reads }: Pick<MathContext, 'caller' | 'reads'>,
  { limit, before, includeRefused, answeredAfter }: QueryRecentLogsArgs,
): Promise<RequestLogRecord[]> {
  return logQueries.recentLogsOf(
    reads.em,
    requireCaller(caller).id,
    checkLimit(limit),
    before,
    includeRefused ?? false,
    answeredAfter,
  );
}

export function logReadsFirstPlugin(logQueries: LogQueries): ApolloServerPlugin<MathContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(requestContext) {
          const { contextValue } = requestContext;
          const fields = rootQueryFields(requestContext)?.filter(
            (field) => field.definition.name === 'recentLogs',
          );
          if (!fields?.length) return;
          const reads = await Promise.allSettled(
            fields.map(async (field) =>
              readRecentLogs(logQueries, contextValue, field.argumentValues()),
            ),
          );
          // The first refusal in the document's order, whichever settled first.
          reads.forEach((read, i) => {
            const field = fields[i] as RootField;
            if (read.status === 'rejected') throw refusal(read.reason, field);
            contextValue.logReads.set(field.responseKey, read.value);
          });
        },
      };
    },
  };
}

/**
 * The field's error for the whole operation, with its path and location as execution would have
 * given them. Answered 200, as the same error from the resolver was: the response is a GraphQL
 * result, and its error says what was refused.
 */
function refusal(error: unknown, field: RootField): GraphQLError {
  const located = locatedError(error, [field.node], [field.responseKey]);
  return new GraphQLError(located.message, {
    nodes: located.nodes ?? null,
    path: located.path ?? null,
    originalError: located.originalError ?? null,
    extensions: { ...located.extensions, http: { status: 200 } },
  });
}
