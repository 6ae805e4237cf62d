/**
 * An argument value that does not fit its type is the client's malformed argument: the
 * contract's BAD_USER_INPUT, with a message that names the argument and its field, whether the
 * value was written in the operation or sent as a variable.
 *
 * graphql-js reports the two differently: a literal (`factorial(n: 1.5)`) fails validation,
 * which Apollo Server answers GRAPHQL_VALIDATION_FAILED ("Int cannot represent non-integer
 * value: 1.5", naming no argument), and a variable (`{"n": 1.5}`) fails coercion, which it
 * answers BAD_USER_INPUT naming only the variable. Both stay HTTP 400 and keep their locations;
 * the code and message become the same:
 * `factorial(n:): Int cannot represent non-integer value: 1.5` and
 * `factorial(n:): Variable "$n" got invalid value 1.5; Int cannot represent non-integer value: 1.5`.
 *
 * `argumentSitesRule` runs with validation (both over HTTP and the streaming transports) and
 * remembers, per AST node, which argument each value in an argument belongs to and which
 * arguments each variable feeds. An error whose first node is such a value can only come from
 * graphql-js's ValuesOfCorrectTypeRule (or UniqueInputFieldNames inside it): the other rules
 * report variables, definitions, fields or nothing. Structural errors (an unknown field or
 * argument, a missing required argument, a variable of the wrong type for its position) stay
 * GRAPHQL_VALIDATION_FAILED.
 *
 * One case passes validation and coercion alike: a nullable variable with a default may stand
 * where a non-null value is needed (`query($n: Int = 5) { factorial(n: $n) … }`), since the
 * default fills in when it is not sent, but a variable sent as `null` reaches the argument as
 * null, and graphql-js then fails the field as it runs (in a subgraph: an unexpected error, and
 * logged as one). `refuseNullArguments` refuses such a request before any field runs, as
 * BAD_USER_INPUT naming the argument, in the words graphql-js uses for a null in a non-null
 * place.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode, RequestErrorCode } from '@microservice-math/shared/errors';
import { coercedVariables } from '@microservice-math/shared/selection';
import {
  GraphQLError,
  isNonNullType,
  Kind,
  validate,
  type ASTNode,
  type DocumentNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
  type ValueNode,
  type VariableDefinitionNode,
  type VariableNode,
} from 'graphql';
import { withHttpStatus } from '../http/httpStatus.js';

/** Where a value is given: an argument of a field (or directive), or a variable's default. */
interface ArgumentSite {
  /** `factorial(n:)`, `@include(if:)`, `$n (default value)`. */
  label: string;
  argument?: string;
  field?: string;
  variable?: string;
}

const siteOfValue = new WeakMap<ASTNode, ArgumentSite>();
const sitesOfVariable = new WeakMap<ASTNode, ArgumentSite[]>();

/** Where a nullable variable is used in a place that needs a value: its sites and that type. */
interface NonNullUse {
  sites: ArgumentSite[];
  /** The type of the first such place, as graphql-js prints it (`Int!`). */
  type: string;
}
const nonNullUsesOfVariable = new WeakMap<VariableDefinitionNode, NonNullUse>();
/** Operations whose variable uses `argumentSitesRule` has recorded. */
const recorded = new WeakSet<OperationDefinitionNode>();

/** Every value node in `value` (list items and object fields included), variables apart. */
function eachValue(
  value: ValueNode,
  onValue: (node: ValueNode) => void,
  onVariable: (node: VariableNode) => void,
) {
  if (value.kind === Kind.VARIABLE) return onVariable(value);
  onValue(value);
  if (value.kind === Kind.LIST)
    for (const item of value.values) eachValue(item, onValue, onVariable);
  if (value.kind === Kind.OBJECT)
    for (const field of value.fields) eachValue(field.value, onValue, onVariable);
}

/** Records where each argument value and variable use is; reports nothing itself. */
export const argumentSitesRule: ValidationRule = (context) => {
  const siteOfUse = new Map<VariableNode, ArgumentSite>();
  return {
    Argument(node) {
      const directive = context.getDirective();
      const field = directive ? undefined : context.getFieldDef();
      const argument = node.name.value;
      const site: ArgumentSite = directive
        ? { label: `@${directive.name}(${argument}:)`, argument }
        : field
          ? { label: `${field.name}(${argument}:)`, argument, field: field.name }
          : { label: `${argument}:`, argument };
      eachValue(
        node.value,
        (value) => siteOfValue.set(value, site),
        (variable) => siteOfUse.set(variable, site),
      );
    },
    VariableDefinition(node) {
      const variable = node.variable.name.value;
      const site: ArgumentSite = { label: `$${variable} (default value)`, variable };
      if (node.defaultValue)
        eachValue(
          node.defaultValue,
          (value) => siteOfValue.set(value, site),
          () => {},
        );
    },
    // At the end of the document: fragments may come after the operations that spread them.
    Document: {
      leave(document) {
        for (const operation of document.definitions) {
          if (operation.kind !== Kind.OPERATION_DEFINITION) continue;
          recorded.add(operation);
          const uses = new Map<string, ArgumentSite[]>();
          const nonNullUses = new Map<string, NonNullUse>();
          for (const { node, type } of context.getRecursiveVariableUsages(operation)) {
            const site = siteOfUse.get(node);
            if (!site) continue;
            const list = uses.get(node.name.value) ?? [];
            if (!list.some((known) => known.label === site.label)) list.push(site);
            uses.set(node.name.value, list);
            if (type && isNonNullType(type)) {
              const use = nonNullUses.get(node.name.value) ?? { sites: [], type: String(type) };
              if (!use.sites.some((known) => known.label === site.label)) use.sites.push(site);
              nonNullUses.set(node.name.value, use);
            }
          }
          for (const definition of operation.variableDefinitions ?? []) {
            const sites = uses.get(definition.variable.name.value);
            if (sites?.length) sitesOfVariable.set(definition, sites);
            const nonNull = nonNullUses.get(definition.variable.name.value);
            // A non-null variable given null fails coercion already, naming itself.
            if (nonNull && definition.type.kind !== Kind.NON_NULL_TYPE)
              nonNullUsesOfVariable.set(definition, nonNull);
          }
        }
      },
    },
  };
};

/** The argument(s) an error's first node gives a value to; undefined for any other error. */
function sitesOf(
  code: unknown,
  nodes: readonly ASTNode[] | undefined,
  path: unknown,
): ArgumentSite[] | undefined {
  const node = nodes?.[0];
  if (!node) return undefined;
  if (code === RequestErrorCode.ValidationFailed) {
    const site = siteOfValue.get(node);
    return site ? [site] : undefined;
  }
  // A variable that failed coercion: reported on its definition, before any field ran. Apollo
  // Server has coded it BAD_USER_INPUT; graphql-js's own subscribe (graphql-ws, SSE) leaves no code.
  if (
    (code === ErrorCode.BadUserInput || code === undefined) &&
    path === undefined &&
    node.kind === Kind.VARIABLE_DEFINITION
  )
    return sitesOfVariable.get(node as VariableDefinitionNode);
  return undefined;
}

function described(sites: ArgumentSite[], message: string) {
  const [first] = sites as [ArgumentSite];
  return {
    message: `${sites.map((site) => site.label).join(', ')}: ${message}`,
    extensions: {
      code: ErrorCode.BadUserInput,
      ...(first.argument ? { argument: first.argument } : {}),
      ...(first.field ? { field: first.field } : {}),
      ...(first.variable ? { variable: first.variable } : {}),
    },
  };
}

/**
 * For Apollo Server's formatError: a value that did not fit its argument's type as
 * BAD_USER_INPUT naming the argument; any other error as it was. `error` is what Apollo
 * formatted (its ValidationError or UserInputError keeps the original's nodes).
 */
export function badArgumentFormatted(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  if (!(error instanceof GraphQLError)) return formatted;
  const sites = sitesOf(formatted.extensions?.['code'], error.nodes, formatted.path);
  if (!sites) return formatted;
  const { message, extensions } = described(sites, formatted.message);
  return { ...formatted, message, extensions: { ...formatted.extensions, ...extensions } };
}

/** The same for an error graphql-js returned (the streaming transports' validation), code set. */
export function badArgumentError(error: GraphQLError): GraphQLError {
  const sites = sitesOf(error.extensions['code'], error.nodes, error.path);
  if (!sites) return error;
  const { message, extensions } = described(sites, error.message);
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError,
    extensions: { ...error.extensions, ...extensions },
  });
}

/**
 * BAD_USER_INPUT for the first variable of `operation` sent as null (`coerced`, the variables as
 * execution will see them) that feeds a place needing a value (see the top of this file);
 * undefined when there is none, or when the variables do not coerce (execution says why).
 */
export function nullArgumentError(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  coerced: Readonly<Record<string, unknown>> | undefined,
): GraphQLError | undefined {
  if (!coerced) return undefined;
  // The streaming transports may ask before validating (graphql-sse validates after onSubscribe).
  if (!recorded.has(operation)) validate(schema, document, [argumentSitesRule]);
  for (const definition of operation.variableDefinitions ?? []) {
    const use = nonNullUsesOfVariable.get(definition);
    const name = definition.variable.name.value;
    if (!use || !Object.hasOwn(coerced, name) || coerced[name] !== null) continue;
    const { message, extensions } = described(
      use.sites,
      `Variable "$${name}" got invalid value null; Expected non-nullable type "${use.type}" not to be null.`,
    );
    // Located at the variable's name: on its definition, badArgumentError would describe it again.
    return new GraphQLError(message, { nodes: [definition.variable], extensions });
  }
  return undefined;
}

/** The same for a request through Apollo Server (HTTP, and queries and mutations on streams). */
export function refuseNullArguments<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, schema, document, operation }) {
          if (!operation) return;
          const refused = nullArgumentError(
            schema,
            document,
            operation,
            coercedVariables({ request, schema, operation }),
          );
          if (refused) throw withHttpStatus(refused, 400);
        },
      };
    },
  };
}
