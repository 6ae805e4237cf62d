/**
 * Executes `logAdded` subscriptions against the gateway's API schema. The event carries every
 * column of the log row; fields it does not carry (`user { … }`, owned by auth) are fetched
 * through the gateway, so its query planning reaches whichever subgraph owns them. A log's
 * user is always the subscriber, so that subtree is exactly `me { … }` with the subscriber's
 * credentials; the fetch is made once per event and distinct selection, and shared by every
 * subscriber that asked for the same thing. Where the events come from, live and caught up from
 * the database, is logFeed.ts.
 */
import { unauthenticated } from '@microservice-math/shared/errors';
import type { EventBus } from '@microservice-math/shared/events';
import type { LogAddedEvent } from '@microservice-math/shared/logAddedEvent';
import type { Counter } from '@microservice-math/shared/metrics';
import { fragmentsOf } from '@microservice-math/shared/selection';
import {
  defaultFieldResolver,
  GraphQLError,
  Kind,
  OperationTypeNode,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { RouterContext } from '../context.js';
import { gatewayError, openLogFeed } from './logFeed.js';

/** Runs an operation through the gateway with a caller's context (Apollo's executeOperation). */
export type GatewayExecutor = (
  document: string,
  variables: Record<string, unknown>,
  context: RouterContext,
  /** Which of the document's operations to run, when it has several. */
  operationName?: string,
) => Promise<{ data?: Record<string, unknown> | null; errors?: readonly GraphQLError[] }>;

/** Objects that came back from the gateway are keyed by response name (aliases), not field name. */
const fromGateway = new WeakSet<object>();

function markFromGateway(value: unknown): void {
  if (value === null || typeof value !== 'object' || fromGateway.has(value)) return;
  fromGateway.add(value);
  for (const child of Object.values(value)) markFromGateway(child);
}

export interface LogAddedResolver {
  subscribeFieldResolver: GraphQLFieldResolver<unknown, RouterContext>;
  fieldResolver: GraphQLFieldResolver<unknown, RouterContext>;
  /** How many gateway fetches events have caused (one per event and distinct selection). */
  readonly gatewayResolutions: number;
}

/** How long a shared fetch stays shareable after it settles: covers every subscriber's turn. */
const SHARE_WINDOW_MS = 2_000;

export function createLogAddedResolver(
  events: EventBus,
  executeThroughGateway: GatewayExecutor,
  resolutionsCounter: Counter,
): LogAddedResolver {
  const shared = new Map<string, Promise<unknown>>();
  let gatewayResolutions = 0;

  async function fetchOwner(
    key: string,
    document: string,
    variables: Record<string, unknown>,
    context: RouterContext,
  ) {
    gatewayResolutions += 1;
    resolutionsCounter.inc();
    const result = await executeThroughGateway(document, variables, context);
    const firstError = result.errors?.[0];
    if (firstError) throw gatewayError(firstError);
    const me = result.data?.['me'];
    if (me === null || me === undefined)
      throw new GraphQLError(`The owner of this log could not be resolved (${key.slice(0, 8)})`);
    markFromGateway(me);
    return me;
  }

  function resolveUser(
    event: LogAddedEvent,
    context: RouterContext,
    info: GraphQLResolveInfo,
  ): Promise<unknown> {
    const { document, variables } = cachedMeQueryFor(info);
    // The event is this subscriber's own log, so the caller id is part of the key by construction.
    const key = `${event.id}\n${context.caller?.id}\n${document}\n${JSON.stringify(variables)}`;
    let pending = shared.get(key);
    if (!pending) {
      // Not tied to this subscriber's signal: the fetch is shared, and a subscriber that goes
      // away (a socket closing as its client resumes on a new one) must not cancel it for the
      // others. The gateway's subgraph deadline still bounds it.
      const { signal: _ownSignal, ...sharedContext } = context;
      const fetching = fetchOwner(event.id, document, variables, sharedContext);
      pending = fetching;
      shared.set(key, fetching);
      const forget = () => {
        if (shared.get(key) === fetching) shared.delete(key);
      };
      // An answer is shared for a while; a failure is not kept: the next subscriber asks again.
      fetching.then(() => setTimeout(forget, SHARE_WINDOW_MS).unref(), forget);
    }
    return pending;
  }

  return {
    subscribeFieldResolver(_source, args, context, info) {
      if (info.fieldName !== 'logAdded')
        throw new GraphQLError(`Unknown subscription ${info.fieldName}`);
      if (!context.caller) throw unauthenticated('Sign in to subscribe');
      const { after, includeRefused } = args as {
        after?: string | null;
        includeRefused?: boolean | null;
      };
      return openLogFeed(
        events,
        executeThroughGateway,
        context,
        // Log ids are lower-case UUIDs, which math also takes in upper case: so does the feed.
        after?.toLowerCase() ?? undefined,
        includeRefused ?? false,
      );
    },
    fieldResolver(source, args, context, info) {
      if (info.parentType.name === 'Subscription') return source;
      if (source !== null && typeof source === 'object' && fromGateway.has(source)) {
        return (source as Record<string, unknown>)[info.path.key as string];
      }
      if (info.parentType.name === 'RequestLog' && info.fieldName === 'user') {
        return resolveUser(source as LogAddedEvent, context, info);
      }
      return defaultFieldResolver(source, args, context, info);
    },
    get gatewayResolutions() {
      return gatewayResolutions;
    },
  };
}

/**
 * How many fetches of the log's owner each event of this subscription makes: one per response
 * name under which `logAdded { … }` selects `user`, directly or through fragments (graphql-js
 * merges the fields of one response name into one resolution, and so one fetch).
 */
export function ownerFetchesPerEvent(
  document: DocumentNode,
  operation: OperationDefinitionNode,
): number {
  const fragments = fragmentsOf(document);
  const userKeys = new Set<string>();
  const fields = (selectionSet: SelectionSetNode, spread: ReadonlySet<string>): FieldNode[] =>
    selectionSet.selections.flatMap((selection) => {
      if (selection.kind === Kind.FIELD) return [selection];
      if (selection.kind === Kind.INLINE_FRAGMENT) return fields(selection.selectionSet, spread);
      const name = selection.name.value;
      const fragment = fragments[name];
      // A fragment that spreads itself is refused by validation; here it must not loop.
      if (!fragment || spread.has(name)) return [];
      return fields(fragment.selectionSet, new Set([...spread, name]));
    });
  for (const root of fields(operation.selectionSet, new Set())) {
    if (root.name.value !== 'logAdded' || !root.selectionSet) continue;
    for (const field of fields(root.selectionSet, new Set()))
      if (field.name.value === 'user') userKeys.add(field.alias?.value ?? 'user');
  }
  return userKeys.size;
}

/**
 * One subscription's `me` query is the same for every event it receives (its document and
 * variables do not change), so it is built once per subscription, keyed by its parsed field.
 */
const meQueries = new WeakMap<FieldNode, ReturnType<typeof meQueryFor>>();

function cachedMeQueryFor(info: GraphQLResolveInfo): ReturnType<typeof meQueryFor> {
  const field = info.fieldNodes[0] as FieldNode;
  let query = meQueries.get(field);
  if (!query) {
    query = meQueryFor(info);
    meQueries.set(field, query);
  }
  return query;
}

/** `query { me { <the subscriber's selection under user> } }`, with the fragments and variables it uses. */
export function meQueryFor(info: GraphQLResolveInfo): {
  document: string;
  variables: Record<string, unknown>;
} {
  const selections = info.fieldNodes.flatMap(
    (node: FieldNode) => node.selectionSet?.selections ?? [],
  );
  const selectionSet: SelectionSetNode = { kind: Kind.SELECTION_SET, selections };
  const fragments = usedFragments(selectionSet, info.fragments);
  const variableNames = usedVariables([selectionSet, ...fragments]);
  const variableDefinitions = (info.operation.variableDefinitions ?? []).filter(
    (d: VariableDefinitionNode) => variableNames.has(d.variable.name.value),
  );
  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: OperationTypeNode.QUERY,
        name: { kind: Kind.NAME, value: 'LogAddedUser' },
        variableDefinitions,
        selectionSet: {
          kind: Kind.SELECTION_SET,
          selections: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: 'me' }, selectionSet }],
        },
      },
      ...fragments,
    ],
  };
  const variables: Record<string, unknown> = {};
  for (const name of variableNames) variables[name] = info.variableValues[name];
  return { document: print(document), variables };
}

function usedFragments(
  root: SelectionSetNode,
  all: Record<string, FragmentDefinitionNode>,
): FragmentDefinitionNode[] {
  const found = new Map<string, FragmentDefinitionNode>();
  const pending: SelectionSetNode[] = [root];
  while (pending.length) {
    const node = pending.pop() as SelectionSetNode;
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = all[name];
        if (fragment && !found.has(name)) {
          found.set(name, fragment);
          pending.push(fragment.selectionSet);
        }
      },
    });
  }
  return [...found.values()];
}

function usedVariables(nodes: Array<SelectionSetNode | FragmentDefinitionNode>): Set<string> {
  const names = new Set<string>();
  for (const node of nodes) {
    visit(node, {
      Variable(variable) {
        names.add(variable.name.value);
      },
    });
  }
  return names;
}
