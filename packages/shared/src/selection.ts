/**
 * Which fields an operation selects, as execution will see them: through fragment spreads and
 * inline fragments, and without the ones `@skip`/`@include` leave out. Plugins that must act on
 * an operation's fields before any resolves need it: math sums the sizes of all its fields up
 * front and checks whether `result` is selected at all (converting a huge result to decimal is
 * the expensive part); auth counts every `login` field as an attempt before the first runs.
 */
import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getArgumentValues,
  getVariableValues,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

export interface SelectionScope {
  fragments: Record<string, FragmentDefinitionNode>;
  /** Coerced variable values, for `@skip(if: $x)` and arguments. */
  variableValues: Record<string, unknown>;
}

/** The fragments of a document by name, as a SelectionScope wants them. */
export function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}

/** The field nodes a selection set selects, fragments flattened, skipped ones left out. */
export function selectedFields(selectionSet: SelectionSetNode, scope: SelectionScope): FieldNode[] {
  const found: FieldNode[] = [];
  const visitedFragments = new Set<string>();
  const visit = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (!included(selection, scope)) continue;
      if (selection.kind === Kind.FIELD) {
        found.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet);
      } else if (!visitedFragments.has(selection.name.value)) {
        visitedFragments.add(selection.name.value);
        const fragment = scope.fragments[selection.name.value];
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  visit(selectionSet);
  return found;
}

/** A root field of an operation as execution will call it, once per response key. */
export interface RootField {
  node: FieldNode;
  responseKey: string;
  definition: GraphQLField<unknown, unknown>;
  /** Its arguments coerced as its resolver will get them; throws when they do not coerce. */
  argumentValues(): Record<string, unknown>;
}

/** What of Apollo Server's request context `rootQueryFields` reads. */
export interface OperationRequest {
  request: { variables?: Readonly<Record<string, unknown>> | undefined };
  schema: GraphQLSchema;
  document: DocumentNode;
  operation?: OperationDefinitionNode | undefined;
}

/** Each request's root fields, worked out once for all the plugins that ask. */
const fieldsOfRequest = new WeakMap<object, RootField[] | undefined>();
/** Each request's variables as execution will see them, once for all the plugins that ask. */
const variablesOfRequest = new WeakMap<object, Record<string, unknown> | undefined>();

/**
 * The request's variables coerced as execution will coerce them, the operation's defaults
 * filled in; undefined when they do not coerce (execution refuses them before any field runs).
 * Computed once per request.
 */
export function coercedVariables({
  request,
  schema,
  operation,
}: Omit<OperationRequest, 'document'>): Record<string, unknown> | undefined {
  if (!variablesOfRequest.has(request)) {
    const variables = getVariableValues(
      schema,
      operation?.variableDefinitions ?? [],
      request.variables ?? {},
    );
    variablesOfRequest.set(request, variables.errors ? undefined : variables.coerced);
  }
  return variablesOfRequest.get(request);
}

/**
 * The root fields a query will resolve, for plugins that act on them before any runs; undefined
 * when the variables do not coerce (execution reports that). Fields sharing a response key are
 * one resolver call: the first of them stands for all. Computed once per request.
 */
export function rootQueryFields(context: OperationRequest): RootField[] | undefined {
  if (!fieldsOfRequest.has(context.request)) {
    fieldsOfRequest.set(context.request, findRootQueryFields(context));
  }
  return fieldsOfRequest.get(context.request);
}

function findRootQueryFields({
  request,
  schema,
  document,
  operation,
}: OperationRequest): RootField[] | undefined {
  const queryType = schema.getQueryType();
  if (operation?.operation !== 'query' || !queryType) return undefined;
  const coerced = coercedVariables({ request, schema, operation });
  if (!coerced) return undefined;
  const scope = { fragments: fragmentsOf(document), variableValues: coerced };
  const fields = new Map<string, RootField>();
  for (const node of selectedFields(operation.selectionSet, scope)) {
    const responseKey = node.alias?.value ?? node.name.value;
    const definition = queryType.getFields()[node.name.value];
    if (fields.has(responseKey) || !definition) continue;
    fields.set(responseKey, {
      node,
      responseKey,
      definition,
      argumentValues: () => getArgumentValues(definition, node, coerced),
    });
  }
  return [...fields.values()];
}

/**
 * True when the field being resolved selects `name` among its subfields. Type conditions are not
 * checked: meant for fields of object types, where a fragment inside a field always applies.
 */
export function selectsSubfield(info: GraphQLResolveInfo, name: string): boolean {
  return info.fieldNodes.some(
    (node) =>
      node.selectionSet !== undefined &&
      selectedFields(node.selectionSet, info).some((field) => field.name.value === name),
  );
}

/**
 * Whether `@skip`/`@include` leave `selection` in, as graphql-js decides it. A directive whose
 * argument cannot be worked out (its variable was not coerced: execution refuses such an
 * operation before any field runs) leaves it in, so callers that count fields count too many.
 */
export function included(selection: SelectionNode, { variableValues }: SelectionScope): boolean {
  try {
    const skip = getDirectiveValues(GraphQLSkipDirective, selection, variableValues);
    if (skip?.['if'] === true) return false;
    const include = getDirectiveValues(GraphQLIncludeDirective, selection, variableValues);
    return include?.['if'] !== false;
  } catch {
    return true;
  }
}
