/**
 * The demand-control plugin takes an operation's cost from its context when a streaming
 * transport has already counted it (graphql-ws and SSE do, when the operation arrives), and
 * counts it itself only when nobody has. Apollo Server runs a small schema here; its list
 * declares a size of 50, so walking `{ items { id } }` costs 50.
 */
import { ApolloServer } from '@apollo/server';
import { buildSchema, getOperationAST, GraphQLError, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  demandControl,
  operationCost,
  type CostedContext,
  type DemandDirectives,
} from './demandControl.js';

const MAX_COST = 100;
const directives: DemandDirectives = {
  weights: new Map(),
  listSizes: new Map([['Query.items', { assumedSize: 50, slicingArguments: [] }]]),
};
const QUERY = '{ items { id } }';

let server: ApolloServer<CostedContext>;

beforeAll(async () => {
  server = new ApolloServer<CostedContext>({
    typeDefs: 'type Item { id: ID! } type Query { items: [Item!]! }',
    resolvers: { Query: { items: () => [{ id: '1' }] } },
    plugins: [demandControl(MAX_COST, () => directives).plugin<CostedContext>()],
    stopOnTerminationSignals: false,
  });
  await server.start();
});
afterAll(async () => {
  await server?.stop();
});

async function run(contextValue: CostedContext) {
  const response = await server.executeOperation({ query: QUERY }, { contextValue });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return response.body.singleResult;
}

describe('the demand-control plugin', () => {
  it('counts the cost itself when the context carries none', async () => {
    const result = await run({});
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ items: [{ id: '1' }] });
  });

  it('uses the cost the context carries instead of walking the document again', async () => {
    const result = await run({ operationCost: 5_000 });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'COST_LIMIT_EXCEEDED',
      cost: 5_000,
      maxCost: MAX_COST,
    });
  });
});

/**
 * Apollo Server runs every plugin's didResolveOperation at once and answers as soon as one
 * throws (the router's refused-token check does, for a caller it will not serve). A heavy
 * operation refused that way while it waited for its turn must still give its turn back.
 */
describe('a heavy operation another plugin refuses while it waits for its turn', () => {
  let heavyServer: ApolloServer<CostedContext & { refuse?: boolean }>;
  let openGate: () => void = () => {};
  let gate = Promise.resolve();
  /** Resolves when a resolver runs: the operation running it holds the one turn. */
  let tookTurn: () => void = () => {};

  beforeAll(async () => {
    heavyServer = new ApolloServer<CostedContext & { refuse?: boolean }>({
      typeDefs: 'type Item { id: ID! } type Query { items: [Item!]! }',
      resolvers: {
        Query: { items: async () => (tookTurn(), await gate, [{ id: '1' }]) },
      },
      plugins: [
        {
          async requestDidStart({ contextValue }) {
            return {
              async didResolveOperation() {
                if (contextValue.refuse)
                  throw new GraphQLError('refused by another plugin', {
                    extensions: { code: 'REFUSED_BY_ANOTHER_PLUGIN' },
                  });
              },
            };
          },
        },
        demandControl(MAX_COST, () => directives, {
          cost: 10,
          concurrency: 1,
          waiting: 5,
        }).plugin(),
      ],
      stopOnTerminationSignals: false,
    });
    await heavyServer.start();
  });
  afterAll(async () => {
    await heavyServer?.stop();
  });

  const runHeavy = (refuse = false) =>
    heavyServer.executeOperation({ query: QUERY }, { contextValue: { refuse } });

  it('gives its turn back, so later heavy operations still run', async () => {
    gate = new Promise<void>((resolve) => (openGate = resolve));
    const turnTaken = new Promise<void>((resolve) => (tookTurn = resolve));
    const holding = runHeavy(); // takes the one turn and waits at the gate
    await turnTaken;
    const refused = await runHeavy(true); // waits in line, refused meanwhile
    // Refused by the other plugin, not by the lane (which would say COST_LIMIT_EXCEEDED).
    expect(
      refused.body.kind === 'single' &&
        refused.body.singleResult.errors?.map((e) => e.extensions?.['code']),
    ).toEqual(['REFUSED_BY_ANOTHER_PLUGIN']);
    openGate();
    await holding;
    const later = await Promise.race([
      runHeavy().then(() => 'ran'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 2 s'), 2_000)),
    ]);
    expect(later).toBe('ran');
  });

  it('leaves the line when refused, so refused requests cannot fill it', async () => {
    gate = new Promise<void>((resolve) => (openGate = resolve));
    const turnTaken = new Promise<void>((resolve) => (tookTurn = resolve));
    const holding = runHeavy();
    await turnTaken;
    // As many refused ones as the line holds (5), answered at once, while the turn is held.
    for (let i = 0; i < 5; i++) await runHeavy(true);
    // Had they kept their places, this one would be refused: the line would be full.
    const waiting = runHeavy();
    openGate();
    await holding;
    const answer = await waiting;
    expect(answer.body.kind === 'single' && answer.body.singleResult.errors).toBeUndefined();
    expect(answer.body.kind === 'single' && answer.body.singleResult.data).toEqual({
      items: [{ id: '1' }],
    });
  });
});

describe('an operation’s cost', () => {
  const schema = buildSchema('type Item { id: ID! } type Query { items: [Item!]! one: Item }');
  const cost = (query: string, variables: Record<string, unknown> = {}) => {
    const document = parse(query);
    const operation = getOperationAST(document)!;
    return operationCost({ schema, document, operation, variables, directives });
  };

  // Each `items` counts 50, `one` 1: what @skip and @include leave out is not read.
  it.each([
    [
      '@include(if: $s) with s false, on a field',
      'query($s: Boolean!) { items @include(if: $s) { id } one { id } }',
      { s: false },
      1,
    ],
    [
      '@include(if: $s) with s true, on a field',
      'query($s: Boolean!) { items @include(if: $s) { id } one { id } }',
      { s: true },
      51,
    ],
    [
      '@skip(if: true) on an inline fragment',
      '{ ... @skip(if: true) { items { id } } one { id } }',
      {},
      1,
    ],
    [
      '@skip(if: $s) on a fragment spread, s left to its default',
      'query($s: Boolean = true) { ...F @skip(if: $s) one { id } } fragment F on Query { items { id } }',
      {},
      1,
    ],
    [
      '@skip(if: $s) on a fragment spread, s true',
      'query($s: Boolean = false) { ...F @skip(if: $s) one { id } } fragment F on Query { items { id } }',
      { s: true },
      1,
    ],
    ['a skipped field inside a list', '{ items { id } a: items @skip(if: true) { id } }', {}, 50],
  ] as Array<[string, string, Record<string, unknown>, number]>)(
    '%s: %i',
    (_name, query, variables, expected) => {
      expect(cost(query, variables)).toBe(expected);
    },
  );
});

/**
 * Apollo Server hands the plugin the same operation for the same query text, and the plugin keeps
 * the cost of one without variables: a cost that must still follow what can change it.
 */
describe('the cost the plugin keeps for an operation it has seen', () => {
  const schema = buildSchema('type Item { id: ID! } type Query { items(first: Int): [Item!]! }');
  const sized = (assumedSize: number): DemandDirectives => ({
    weights: new Map(),
    listSizes: new Map([['Query.items', { assumedSize, slicingArguments: ['first'] }]]),
  });
  const costOf = (control: ReturnType<typeof demandControl>, query: string, variables = {}) => {
    const document = parse(query);
    const operation = getOperationAST(document)!;
    return (vars: Record<string, unknown> = variables) =>
      control.cost(schema, document, operation, vars, vars);
  };

  it('is counted again when the supergraph declares other sizes', () => {
    let declared = sized(50);
    const cost = costOf(
      demandControl(MAX_COST, () => declared),
      '{ items { id } }',
    );
    expect(cost()).toBe(50);
    declared = sized(80);
    expect(cost()).toBe(80);
  });

  it('is counted with each request’s variables when the operation has some', () => {
    const cost = costOf(
      demandControl(MAX_COST, () => sized(50)),
      'query($n: Int) { items(first: $n) { id } }',
    );
    expect(cost({ n: 3 })).toBe(3);
    expect(cost({ n: 70 })).toBe(70);
  });
});
