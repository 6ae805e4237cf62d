/**
 * Executes `logAdded` subscriptions against the gateway's API schema. The event carries every
 * column of the log row. A log's user is always the subscriber, whose `id` and `username` the
 * router knows for certain from their verified token (`sub` and `username`, which auth signs
 * from the account's row and which never change: see OWNER_FIELDS_FROM_TOKEN): a `user { … }`
 * that selects only those (and `__typename`) is answered from the token, with no fetch. Any
 * other field of it (`createdAt`, `logs`, …) is fetched through the gateway, so its query
 * planning reaches whichever subgraph owns it: the whole subtree as `me { … }` with the
 * subscriber's credentials, made once per event and distinct selection and shared by every
 * subscriber that asked for the same thing (a fault of ours it meets reaches each of them with
 * its own request id: ownFailure). Where the events come from, live and caught up from
 * the database, is logFeed.ts.
 */
import { hasClientCode } from '@microservice-math/shared/errorCodes';
import { maskedInternalError, unauthenticated } from '@microservice-math/shared/errors';
import type { EventBus } from '@microservice-math/shared/events';
import type { LogAddedEvent } from '@microservice-math/shared/logAddedEvent';
import type { Counter } from '@microservice-math/shared/metrics';
import {
  fragmentsOf,
  selectedFields,
  type SelectionScope,
} from '@microservice-math/shared/selection';
import {
  defaultFieldResolver,
  getVariableValues,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  OperationTypeNode,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
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

/**
 * A shared owner fetch's failure as one subscriber is told of it. A fault of ours carries the
 * request id of the context the fetch ran with (its first subscriber's: the gateway masked and
 * logged it with that id); every other subscriber gets it with its own request id instead, and a
 * line of its own logged with that id, naming the fetch's. Answers meant for the client (a code
 * it reads) are the same for all, and shared as they are.
 */
function ownFailure(error: unknown, context: RouterContext, eventId: string): unknown {
  if (!(error instanceof GraphQLError) || hasClientCode(error.extensions)) return error;
  const fetchRequestId = error.extensions['requestId'];
  if (typeof fetchRequestId !== 'string' || fetchRequestId === context.requestId) return error;
  context.logger.error(
    { err: error, fetchRequestId, eventId },
    'the owner fetch this event shared failed (logged with fetchRequestId)',
  );
  // Masked (production: the message is the fetch's masked text), this subscriber is told its own
  // masked error. Unmasked (development), the fault's own message is kept. Either way the other
  // extensions are kept, and the request id is this subscriber's.
  const own = maskedInternalError(context.requestId);
  if (error.message === maskedInternalError(fetchRequestId).message)
    return new GraphQLError(own.message, {
      extensions: { ...error.extensions, ...own.extensions },
    });
  return new GraphQLError(error.message, {
    extensions: { ...error.extensions, requestId: context.requestId },
  });
}

export interface LogAddedResolver {
  subscribeFieldResolver: GraphQLFieldResolver<unknown, RouterContext>;
  fieldResolver: GraphQLFieldResolver<unknown, RouterContext>;
  /**
   * How many gateway fetches events have caused (one per event and distinct selection that
   * needs one: see ownerNeedsFetch).
   */
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
  ): unknown {
    const plan = cachedOwnerPlan(info, context);
    // Only the caller's own logs reach their subscription (logFeed.ts): the owner is the caller.
    // A plain object read by field name: graphql-js resolves aliases and `__typename` itself.
    if (!plan.fetch && context.caller)
      return { id: context.caller.id, username: context.caller.username };
    if (!plan.fetch) throw unauthenticated('Sign in to subscribe');
    const { document, variables } = plan;
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
    return pending.catch((error: unknown) => {
      throw ownFailure(error, context, event.id);
    });
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
 * name under which `logAdded { … }` selects `user`, directly or through fragments, whose merged
 * selection needs one (ownerNeedsFetch; graphql-js merges the fields of one response name into
 * one resolution, and so at most one fetch). `variables` as sent: coerced as execution will
 * coerce them (defaults filled in) for `@skip`/`@include`; when they do not coerce (execution
 * refuses the operation) every field is counted in.
 */
export function ownerFetchesPerEvent(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): number {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  // Without coerced values `included` leaves every selection in: every field is counted.
  const scope = { fragments: fragmentsOf(document), variableValues: coerced.coerced ?? {} };
  const userNodes = new Map<string, FieldNode[]>();
  for (const root of selectedFields(operation.selectionSet, scope)) {
    if (root.name.value !== 'logAdded' || !root.selectionSet) continue;
    for (const field of selectedFields(root.selectionSet, scope)) {
      if (field.name.value !== 'user') continue;
      const key = field.alias?.value ?? 'user';
      userNodes.set(key, [...(userNodes.get(key) ?? []), field]);
    }
  }
  let fetches = 0;
  for (const nodes of userNodes.values()) if (ownerNeedsFetch(nodes, scope)) fetches += 1;
  return fetches;
}

/**
 * The fields of `User` the router answers for the log's owner without asking auth: the
 * subscriber's verified token says them. `id` is its `sub` and `username` its `username` claim,
 * both signed by auth from the account's row (register, login and renewToken all sign the row
 * they read or wrote: subgraphs/auth/src/tokens/tokenIssuer.ts), which is what `User.id` and
 * `User.username` answer; the username is stored as typed at registration (trimmed) and nothing
 * ever updates it, so the claim is the account's username, letter case included. `__typename`
 * graphql-js answers itself.
 */
export const OWNER_FIELDS_FROM_TOKEN: ReadonlySet<string> = new Set([
  'id',
  'username',
  '__typename',
]);

const SKIP_OR_INCLUDE = new Set([GraphQLSkipDirective.name, GraphQLIncludeDirective.name]);

/**
 * Whether resolving the log's `user` under one response name, whose field nodes graphql-js
 * merged into `fieldNodes`, needs the owner fetched: whether any field selected under it, through
 * fragments and inline fragments and as `@skip`/`@include` leave them, is other than those in
 * OWNER_FIELDS_FROM_TOKEN. Type conditions are not checked: `User` is an object type, so every
 * fragment valid inside it applies. A field with any other directive, arguments or a selection of
 * its own is left to the gateway, as before: validation would refuse most of those.
 */
export function ownerNeedsFetch(fieldNodes: readonly FieldNode[], scope: SelectionScope): boolean {
  return fieldNodes.some(
    (node) =>
      !node.selectionSet ||
      selectedFields(node.selectionSet, scope).some(
        (field) =>
          !OWNER_FIELDS_FROM_TOKEN.has(field.name.value) ||
          (field.arguments?.length ?? 0) > 0 ||
          field.selectionSet !== undefined ||
          (field.directives ?? []).some((directive) => !SKIP_OR_INCLUDE.has(directive.name.value)),
      ),
  );
}

/** What resolving one subscription's `user` does for each event: answer from the token, or fetch. */
type OwnerPlan = { fetch: false } | ({ fetch: true } & ReturnType<typeof meQueryFor>);

/**
 * One subscription's plan (and `me` query) is the same for every event it receives (its
 * document and variables do not change), so it is worked out once per subscription: keyed by
 * its parsed field, then by its context (one per operation, the same object for every event).
 * Subscribers of the same text share one parsed document (streamingOperations.ts), so the field
 * alone would give a subscription the plan, and the variables, of another.
 */
const ownerPlans = new WeakMap<FieldNode, WeakMap<object, OwnerPlan>>();

function cachedOwnerPlan(info: GraphQLResolveInfo, context: RouterContext): OwnerPlan {
  const field = info.fieldNodes[0] as FieldNode;
  let byContext = ownerPlans.get(field);
  if (!byContext) ownerPlans.set(field, (byContext = new WeakMap()));
  let plan = byContext.get(context);
  if (!plan) {
    plan = ownerNeedsFetch(info.fieldNodes, info)
      ? { fetch: true, ...meQueryFor(info) }
      : { fetch: false };
    byContext.set(context, plan);
  }
  return plan;
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
