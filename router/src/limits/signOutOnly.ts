/**
 * Whether a request body is a sign-out and nothing else: one mutation of one unaliased `logout`
 * (and at most a `__typename`), with nothing that could keep it from running. The per-minute
 * limit lets such a request of a signed-in caller through even when spent, so that someone
 * whose token leaked can always end its session, however fast whoever holds it spends the
 * user's requests: it is the owner's way to stop them. It is bounded by what it does: let
 * through, it ends the session, whose tokens are then refused; a request without a verified
 * caller is never let through.
 *
 * Read only for a request already over the limit, and cheaply: a short document, parsed with a
 * small token budget, fields only (no fragments, variables or directives).
 */
import { Kind, parse, type DocumentNode } from 'graphql';

/** A sign-out is a few tokens; anything longer is not one, and is not parsed to find out. */
const LONGEST_TEXT = 200;
const MAX_TOKENS = 40;

const isEmpty = (value: unknown) =>
  value == null ||
  (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);

export function isSignOutOnly(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { query, operationName, variables, extensions, ...rest } = body as Record<string, unknown>;
  if (typeof query !== 'string' || query.length > LONGEST_TEXT) return false;
  // Nothing that would be refused once let through, ending nothing: an operationName the
  // document lacks (400), a persisted query (refused before it runs), anything else sent along.
  if (Object.keys(rest).length > 0 || !isEmpty(variables) || !isEmpty(extensions)) return false;
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true, maxTokens: MAX_TOKENS });
  } catch {
    return false;
  }
  const [operation, ...others] = document.definitions;
  if (others.length > 0 || operation?.kind !== Kind.OPERATION_DEFINITION) return false;
  if (operation.operation !== 'mutation' || operation.directives?.length) return false;
  if (operation.variableDefinitions?.length) return false;
  if (operationName != null && operationName !== operation.name?.value) return false;
  // One logout, unaliased (aliases would make one request several calls to auth).
  const names = operation.selectionSet.selections.map((field) =>
    field.kind === Kind.FIELD &&
    !field.alias &&
    !field.directives?.length &&
    !field.arguments?.length
      ? field.name.value
      : undefined,
  );
  return (
    names.filter((name) => name === 'logout').length === 1 &&
    names.every((name) => name === 'logout' || name === '__typename')
  );
}
