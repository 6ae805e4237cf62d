/**
 * Whether a request body is a sign-out and nothing else: one mutation whose fields are `logout`
 * (and `__typename`). The per-minute limit lets such a request of a signed-in caller through
 * even when spent, so that someone whose token leaked can always end its session, however
 * fast whoever holds it spends the user's requests: it is the owner's way to stop them. It is
 * bounded by what it does: once the session has ended its tokens are refused, and a request
 * without a verified caller is never let through.
 *
 * Read only for a request already over the limit, and cheaply: a short document, parsed with a
 * small token budget, fields only (no fragments, variables or directives).
 */
import { Kind, parse, type DocumentNode } from 'graphql';

/** A sign-out is a few tokens; anything longer is not one, and is not parsed to find out. */
const LONGEST_TEXT = 200;
const MAX_TOKENS = 40;

export function isSignOutOnly(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { query } = body as { query?: unknown };
  if (typeof query !== 'string' || query.length > LONGEST_TEXT) return false;
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
  const fields = operation.selectionSet.selections;
  return (
    fields.every(
      (field) =>
        field.kind === Kind.FIELD &&
        (field.name.value === 'logout' || field.name.value === '__typename') &&
        !field.directives?.length &&
        !field.arguments?.length,
    ) && fields.some((field) => field.kind === Kind.FIELD && field.name.value === 'logout')
  );
}
