/**
 * Demand control: what an operation will cost, counted before the gateway plans it, from the
 * weights and list sizes the subgraphs declare with Federation 2.9's `@cost` and `@listSize`
 * (they stay in the supergraph; @apollo/gateway does not enforce them, so this does).
 *
 * The cost model is Apollo's: an object costs 1 (or its `@cost`), a scalar or enum 0, and a list
 * field costs its size times the cost of one item with its selection. A list's size is the
 * largest of its slicing arguments (`limit`), from the operation or its variables, else their
 * default, else the declared `assumedSize`, else `DEFAULT_LIST_SIZE`. Nested lists multiply,
 * across subgraphs too: `recentLogs(limit: 100) { user { logs(limit: 100) { id } } }` is
 * 100 × (1 + 1 + 100) = 10,200.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { costLimitExceeded } from '@microservice-math/shared/errors';
import { coercedVariables, included } from '@microservice-math/shared/selection';
import {
  getNamedType,
  getVariableValues,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  Kind,
  parse,
  valueFromASTUntyped,
  type ArgumentNode,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { tooManyRequests, withHttpStatus } from '../http/httpStatus.js';

/** The size of a list that declares nothing; Apollo Router's default. */
export const DEFAULT_LIST_SIZE = 100;
/** What a mutation's root field costs at least (Apollo's default): it writes. */
const MUTATION_WEIGHT = 10;

interface ListSize {
  assumedSize?: number;
  slicingArguments: string[];
}

/** Declared weights (`Type` or `Type.field`) and list sizes (`Type.field`), from the supergraph. */
export interface DemandDirectives {
  weights: Map<string, number>;
  listSizes: Map<string, ListSize>;
}

/** The directive's own name, however the supergraph's @link imported or prefixed it. */
function specName(directive: ConstDirectiveNode): string {
  const name = directive.name.value;
  return name.includes('__') ? name.slice(name.lastIndexOf('__') + 2) : name;
}

function argument(directive: ConstDirectiveNode, name: string): unknown {
  const node = directive.arguments?.find((a) => a.name.value === name);
  return node ? valueFromASTUntyped(node.value) : undefined;
}

export function readDemandDirectives(supergraphSdl: string): DemandDirectives {
  const weights = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  const read = (key: string, directives: readonly ConstDirectiveNode[] | undefined) => {
    for (const directive of directives ?? []) {
      const name = specName(directive);
      if (name === 'cost') weights.set(key, Number(argument(directive, 'weight')));
      if (name === 'listSize') {
        const assumedSize = argument(directive, 'assumedSize');
        const slicing = argument(directive, 'slicingArguments');
        listSizes.set(key, {
          ...(typeof assumedSize === 'number' ? { assumedSize } : {}),
          slicingArguments: Array.isArray(slicing) ? slicing.map(String) : [],
        });
      }
    }
  };
  for (const definition of parse(supergraphSdl).definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION
    )
      continue;
    const type = definition.name.value;
    read(type, definition.directives);
    for (const field of definition.fields ?? [])
      read(`${type}.${field.name.value}`, field.directives);
  }
  return { weights, listSizes };
}

function isList(type: GraphQLType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

export interface CostInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown> | undefined;
  /**
   * The variables already coerced for this request (`coercedVariables`), when a plugin has them;
   * otherwise they are coerced here from `variables`.
   */
  coerced?: Record<string, unknown> | undefined;
  directives: DemandDirectives;
}

/**
 * The variables with the operation's defaults for those not sent, coerced as execution will
 * coerce them. Values that do not coerce are refused by execution before any field runs; they
 * are counted as sent meanwhile, the defaults still filled in.
 */
function effectiveVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const definitions = operation.variableDefinitions ?? [];
  const coerced = getVariableValues(schema, definitions, variables ?? {});
  if (!coerced.errors) return coerced.coerced;
  const filled: Record<string, unknown> = { ...variables };
  for (const { variable, defaultValue } of definitions)
    if (filled[variable.name.value] === undefined && defaultValue)
      filled[variable.name.value] = valueFromASTUntyped(defaultValue);
  return filled;
}

/** The operation's cost; fields the schema does not know cost nothing (validation refuses them). */
export function operationCost({
  schema,
  document,
  operation,
  variables,
  coerced,
  directives,
}: CostInput): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);

  // As execution will see them: a variable not sent takes the operation's default for it
  // (`query ($l: Int = 100)`), which the raw variables lack; counting those at the argument's
  // schema default let a default of 100 pass as 20.
  const effective = coerced ?? effectiveVariables(schema, operation, variables);
  const argumentValue = (node: ArgumentNode | undefined): unknown => {
    if (!node) return undefined;
    if (node.value.kind === Kind.VARIABLE) return effective[node.value.name.value];
    return valueFromASTUntyped(node.value);
  };

  const listSize = (
    key: string,
    field: GraphQLField<unknown, unknown>,
    node: FieldNode,
  ): number => {
    const declared = directives.listSizes.get(key);
    if (!declared) return DEFAULT_LIST_SIZE;
    const sizes = declared.slicingArguments.flatMap((name) => {
      const given = argumentValue(node.arguments?.find((a) => a.name.value === name));
      const value = given ?? field.args.find((a) => a.name === name)?.defaultValue;
      return typeof value === 'number' && Number.isFinite(value) ? [Math.max(0, value)] : [];
    });
    if (sizes.length) return Math.max(...sizes);
    return declared.assumedSize ?? DEFAULT_LIST_SIZE;
  };

  const fieldCost = (
    parent: GraphQLCompositeType,
    node: FieldNode,
    isMutationRoot: boolean,
    visiting: Set<string>,
  ): number => {
    if (!isObjectType(parent) && !isInterfaceType(parent)) return 0;
    const field = parent.getFields()[node.name.value];
    if (!field) return 0;
    const key = `${parent.name}.${field.name}`;
    const type = getNamedType(field.type);
    const ownWeight =
      directives.weights.get(key) ??
      directives.weights.get(type.name) ??
      (isCompositeType(type) ? 1 : 0);
    const weight = isMutationRoot ? Math.max(ownWeight, MUTATION_WEIGHT) : ownWeight;
    const children =
      node.selectionSet && isCompositeType(type)
        ? selectionCost(node.selectionSet, type, false, visiting)
        : 0;
    const size = isList(field.type) ? listSize(key, field, node) : 1;
    return size * (weight + children);
  };

  const selectionCost = (
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType,
    isMutationRoot: boolean,
    visiting: Set<string>,
  ): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      // What @skip and @include leave out is not read (the fragments' map is not needed here).
      if (!included(selection, { fragments: {}, variableValues: effective })) continue;
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(parent, selection, isMutationRoot, visiting);
        continue;
      }
      const fragment =
        selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
      // A fragment that spreads itself is refused by validation; here it must not loop.
      if (
        !fragment ||
        (selection.kind === Kind.FRAGMENT_SPREAD && visiting.has(selection.name.value))
      )
        continue;
      const condition = fragment.typeCondition
        ? schema.getType(fragment.typeCondition.name.value)
        : parent;
      if (!condition || !isCompositeType(condition)) continue;
      const inner =
        selection.kind === Kind.FRAGMENT_SPREAD
          ? new Set([...visiting, selection.name.value])
          : visiting;
      total += selectionCost(fragment.selectionSet, condition, isMutationRoot, inner);
    }
    return total;
  };

  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  return selectionCost(operation.selectionSet, root, operation.operation === 'mutation', new Set());
}

/**
 * What a transport that has already costed an operation (graphql-ws and SSE do, when it arrives)
 * puts in that one operation's context, so the plugin does not walk the document again.
 */
export interface CostedContext {
  operationCost?: number;
}

export interface DemandControl {
  /** The operation's cost; 0 until the supergraph's directives have been read. */
  cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown> | undefined,
    coerced?: Record<string, unknown>,
  ): number;
  /** The error to refuse with when `cost` is over the limit. */
  refusal(cost: number): ReturnType<typeof costLimitExceeded> | undefined;
  /**
   * Refuses costly operations over HTTP (and graphql-ws queries, which run through Apollo
   * Server), and runs heavy ones (see `HeavyLane`) one lane at a time; `onBusy` hears of each
   * heavy operation refused because the lane's queue is full.
   */
  plugin<C extends CostedContext>(onBusy?: (context: C) => void): ApolloServerPlugin<C>;
}

export interface HeavyLaneOptions {
  /** An operation costing more than this is heavy. */
  cost: number;
  /** Heavy operations this router runs at once. */
  concurrency: number;
  /** Heavy operations that may wait for their turn; the next is refused RATE_LIMITED. */
  waiting: number;
}

/**
 * Heavy operations take turns. A heavy operation's answer is thousands of objects, and the
 * router (parsing, shaping and writing it) and the subgraph (completing and writing it) each
 * spend one synchronous stretch per operation on it: a light query arriving behind four at
 * once waited for all four stretches. In turns, it waits behind at most `concurrency`; the
 * heavy ones wait for each other, not for everyone's light queries.
 */
class HeavyLane {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(private readonly options: HeavyLaneOptions) {}

  /**
   * Resolves with `release` once it is this operation's turn; undefined when the queue is full,
   * or when `abandoned` aborts while it waits (the operation was answered meanwhile: its place
   * goes to the next, instead of a refused request holding it until its turn).
   */
  async enter(abandoned?: AbortSignal): Promise<(() => void) | undefined> {
    if (this.running >= this.options.concurrency) {
      if (this.queue.length >= this.options.waiting || abandoned?.aborted) return undefined;
      const turn = await new Promise<boolean>((resolve) => {
        const take = () => {
          abandoned?.removeEventListener('abort', leave);
          resolve(true);
        };
        const leave = () => {
          const place = this.queue.indexOf(take);
          if (place >= 0) this.queue.splice(place, 1);
          resolve(false);
        };
        this.queue.push(take);
        abandoned?.addEventListener('abort', leave, { once: true });
      });
      if (!turn) return undefined;
    } else this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      // The turn passes straight to the next in line: `running` stays as it is.
      if (next) next();
      else this.running--;
    };
  }
}

export function demandControl(
  maxCost: number,
  directives: () => DemandDirectives | undefined,
  heavy: HeavyLaneOptions = { cost: maxCost, concurrency: 1, waiting: 0 },
): DemandControl {
  /**
   * Costs no variable can change, by operation, for the directives they were counted with. Over
   * HTTP, Apollo Server keeps one validated document per query text, so an operation without
   * variables that comes again (a client's same query) is walked once; on a cached query the
   * walk was about 1% of the router's time.
   */
  const fixedCosts = new WeakMap<DemandDirectives, WeakMap<OperationDefinitionNode, number>>();
  const cost: DemandControl['cost'] = (schema, document, operation, variables, coerced) => {
    const declared = directives();
    if (!declared) return 0;
    const input = { schema, document, operation, variables, coerced, directives: declared };
    if (operation.variableDefinitions?.length) return operationCost(input);
    let byOperation = fixedCosts.get(declared);
    if (!byOperation) fixedCosts.set(declared, (byOperation = new WeakMap()));
    let fixed = byOperation.get(operation);
    if (fixed === undefined) {
      // A validated operation without definitions uses no variable: none are passed.
      fixed = operationCost({ ...input, variables: {}, coerced: {} });
      byOperation.set(operation, fixed);
    }
    return fixed;
  };
  const refusal: DemandControl['refusal'] = (cost) =>
    cost > maxCost ? costLimitExceeded(cost, maxCost) : undefined;
  const lane = new HeavyLane(heavy);
  return {
    cost,
    refusal,
    plugin<C extends CostedContext>(onBusy?: (context: C) => void): ApolloServerPlugin<C> {
      return {
        async requestDidStart() {
          let release: (() => void) | undefined;
          /**
           * Set once the response is on its way. Apollo Server runs every plugin's
           * didResolveOperation at once and answers as soon as one throws (a refused token, see
           * auth/refusedToken.ts): an operation still waiting then leaves the line, and a turn
           * that comes after that is given straight back.
           */
          let answered = false;
          /**
           * Aborted once the response is on its way, for a heavy operation waiting in line. Made
           * only for those: aborting a controller makes a DOMException with its stack trace, which
           * cost the router 3% of its time on a cached query when every request made one.
           */
          let abandoned: AbortController | undefined;
          return {
            // After validation, before the gateway's executor plans the operation.
            async didResolveOperation({ schema, document, operation, request, contextValue }) {
              if (!operation) return;
              const demand =
                contextValue.operationCost ??
                cost(
                  schema,
                  document,
                  operation,
                  request.variables,
                  coercedVariables({ request, schema, operation }),
                );
              const refused = refusal(demand);
              if (refused) throw withHttpStatus(refused, 400);
              if (demand <= heavy.cost || answered) return;
              abandoned = new AbortController();
              const turn = await lane.enter(abandoned.signal);
              if (answered) return turn?.();
              release = turn;
              if (release) return;
              onBusy?.(contextValue);
              throw tooManyRequests(1, 'Too many costly operations at once; try again in 1 s');
            },
            async willSendResponse() {
              answered = true;
              abandoned?.abort();
              release?.();
            },
          };
        },
      };
    },
  };
}
