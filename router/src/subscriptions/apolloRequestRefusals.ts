/**
 * Apollo Server's refusals of a malformed request, in its words, for SSE to answer as HTTP does
 * (same code, same status, same message); graphql-ws answers the empty query and the persisted
 * query with them too (streamingOperations.ts), and closes the socket for the rest itself. Apollo exports none of them, so
 * they are copied from @apollo/server 5.5.1: src/httpBatching.ts (a batch), src/runHttpQuery.ts
 * (a POST body, a GET's query string) and src/requestPipeline.ts (no query; a persisted query).
 * router/test/operationSelection.test.ts sends each to HTTP and SSE alike, so an Apollo upgrade
 * that changes them fails there.
 */
import { codedError, RequestErrorCode } from '@microservice-math/shared/errors';
import { isRecord } from '@microservice-math/shared/records';
import { Kind, type GraphQLError } from 'graphql';

const badRequest = (message: string) => codedError(RequestErrorCode.BadRequest, message);

/**
 * Apollo Server's refusal of `extensions.persistedQuery` with `persistedQueries: false`
 * (service.ts): its message and code, and its status (200).
 */
export function persistedQueryNotSupported(): GraphQLError {
  return codedError(RequestErrorCode.PersistedQueryNotSupported, 'PersistedQueryNotSupported');
}

/** Apollo Server's refusal of an operation without a query (400), made after the persisted query's. */
export function emptyQuery(): GraphQLError {
  return badRequest(
    'GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.',
  );
}

/** Whether the request is a persisted query, as Apollo tells one: refused, sent `query` or not. */
export const isPersistedQuery = (extensions: unknown): boolean =>
  isRecord(extensions) && Boolean(extensions['persistedQuery']);

/**
 * What Apollo Server refuses (400) in a POST body before it reads the operation, in its order.
 * A `query` that is falsy (absent, null, "") is not refused here: Apollo takes it as no query,
 * which is a persisted query's refusal or emptyQuery's.
 */
export function malformedBody(body: unknown): GraphQLError | undefined {
  if (Array.isArray(body)) return badRequest('Operation batching disabled.');
  if (!isRecord(body) || Object.keys(body).length === 0)
    return badRequest('POST body missing, invalid Content-Type, or JSON object has no keys.');
  const { query, variables, extensions, operationName } = body;
  if (query && typeof query !== 'string') {
    if (isRecord(query) && query['kind'] === Kind.DOCUMENT)
      return badRequest(
        "GraphQL queries must be strings. It looks like you're sending the " +
          'internal graphql-js representation of a parsed query in your ' +
          'request instead of a request in the GraphQL query language. You ' +
          'can convert an AST to a string using the `print` function from ' +
          '`graphql`, or use a client like `apollo-client` which converts ' +
          'the internal representation to a string for you.',
      );
    return badRequest('GraphQL queries must be strings.');
  }
  if (typeof variables === 'string')
    return badRequest(
      '`variables` in a POST body should be provided as an object, not a recursively JSON-encoded string.',
    );
  if (typeof extensions === 'string')
    return badRequest(
      '`extensions` in a POST body should be provided as an object, not a recursively JSON-encoded string.',
    );
  if (extensions != null && !isRecord(extensions))
    return badRequest('`extensions` in a POST body must be an object if provided.');
  if (variables != null && !isRecord(variables))
    return badRequest('`variables` in a POST body must be an object if provided.');
  if (operationName != null && typeof operationName !== 'string')
    return badRequest('`operationName` in a POST body must be a string if provided.');
  return undefined;
}

/**
 * What Apollo Server refuses (400) in a GET's query string, in its order: a parameter given more
 * than once, and variables or extensions that are not a JSON object. An empty or absent `query`
 * is left, as in a POST body, to the persisted query's refusal or emptyQuery's.
 */
export function malformedSearch(search: URLSearchParams): GraphQLError | undefined {
  for (const name of ['query', 'operationName', 'variables', 'extensions']) {
    const values = search.getAll(name);
    if (values.length > 1)
      return badRequest(`The '${name}' search parameter may only be specified once.`);
    const [value] = values;
    if (value === undefined || (name !== 'variables' && name !== 'extensions')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return badRequest(`The ${name} search parameter contains invalid JSON.`);
    }
    if (!isRecord(parsed))
      return badRequest(`The ${name} search parameter should contain a JSON-encoded object.`);
  }
  return undefined;
}
