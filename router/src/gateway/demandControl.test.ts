/**
 * The demand-control plugin takes an operation's cost from its context when a streaming
 * transport has already counted it (graphql-ws and SSE do, when the operation arrives), and
 * counts it itself only when nobody has. Apollo Server runs a small schema here; its list
 * declares a size of 50, so walking `{ items { id } }` costs 50.
 */
import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demandControl, type CostedContext, type DemandDirectives } from './demandControl.js';

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
