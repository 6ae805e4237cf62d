/**
 * A subscription may not use `@skip` or `@include` in its top-level selection (the GraphQL
 * spec's "Single root field"; graphql-js 17 refuses it in validation). graphql-js 16 does not:
 * its SingleFieldSubscriptionsRule collects the root fields without the variables' values, so
 * `@include(if: $s)` there threw out of `validate` (Apollo Server answered 500, graphql-ws closed
 * the socket with 4500, every other subscription on it gone), and a literal `@skip(if: true)`
 * left no root field, which crashed execution instead. Any document holding such a subscription
 * failed so, whichever of its operations was asked for.
 *
 * Refused as a validation error, the same over HTTP, graphql-ws and SSE. The rule that throws is
 * one of graphql-js's own, which Apollo Server always runs (and runs before ours), so the check
 * runs before validation: `documentToValidate` finds the offending directives, and validation
 * then runs over a stand-in that is valid by itself, `{ __typename }`, for which
 * `subscriptionRootDirectivesRule` reports the refusals found. Only those are reported: graphql-js's
 * rules run over the document with the directives taken out would add errors of their own making
 * (a variable then unused, a second root field then counted).
 */
import type { ApolloServerPlugin, BaseContext, GraphQLRequestListener } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  parse,
  type ASTNode,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';

const isSkipOrInclude = (directive: DirectiveNode) =>
  directive.name.value === 'skip' || directive.name.value === 'include';

function refusal(operation: OperationDefinitionNode, nodes: ASTNode[]): GraphQLError {
  const name = operation.name ? `Subscription "${operation.name.value}"` : 'Anonymous Subscription';
  return new GraphQLError(
    `${name} must not use \`@skip\` or \`@include\` directives in the top level selection.`,
    { nodes },
  );
}

/** Refusals found in a document, by the stand-in validated in its place. */
const refusals = new WeakMap<DocumentNode, GraphQLError[]>();

/**
 * The document to validate in place of `document`: itself when no subscription uses `@skip` or
 * `@include` at its top level (every ordinary request, at the cost of one look at each operation's
 * first level), else a stand-in whose validation reports those refusals and nothing else.
 */
export function documentToValidate(document: DocumentNode): DocumentNode {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);

  const errors: GraphQLError[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION || definition.operation !== 'subscription')
      continue;
    const found: DirectiveNode[] = [];
    // The top level is the operation's selection set and, through them, those of the fragments
    // spread and inline there (each fragment once: a cycle is another rule's refusal).
    const seen = new Set<string>();
    const walk = (selectionSet: SelectionSetNode) => {
      for (const selection of selectionSet.selections) {
        found.push(...(selection.directives?.filter(isSkipOrInclude) ?? []));
        if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
        if (selection.kind === Kind.FRAGMENT_SPREAD && !seen.has(selection.name.value)) {
          seen.add(selection.name.value);
          const fragment = fragments.get(selection.name.value);
          if (fragment) walk(fragment.selectionSet);
        }
      }
    };
    walk(definition.selectionSet);
    if (found.length > 0) errors.push(refusal(definition, found));
  }
  if (errors.length === 0) return document;
  // A document of its own each time: the refusals are found by it.
  const standIn = parse('{ __typename }');
  refusals.set(standIn, errors);
  return standIn;
}

/** Reports the refusals `documentToValidate` found, for the stand-in it made. */
export const subscriptionRootDirectivesRule: ValidationRule = (context) => ({
  Document() {
    for (const error of refusals.get(context.getDocument()) ?? []) context.reportError(error);
  },
});

/**
 * Apollo Server validates `requestContext.document` right after its `validationDidStart` hooks:
 * this one puts the stand-in there when the document needs one. Its validation fails, so the
 * stand-in is never cached as a validated document, nor run. It keeps nothing per request, so
 * every request is given this one listener rather than a new one. (It is not folded into another
 * plugin's listener: the router's others, requireOperation's among them, act at
 * `didResolveOperation`, after validation, where graphql-js's rule would already have thrown.)
 */
const beforeValidation: GraphQLRequestListener<BaseContext> = {
  async validationDidStart(requestContext) {
    const checked = documentToValidate(requestContext.document);
    if (checked !== requestContext.document)
      (requestContext as { document: DocumentNode }).document = checked;
  },
};

export function refuseSubscriptionRootDirectives<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return beforeValidation;
    },
  };
}
