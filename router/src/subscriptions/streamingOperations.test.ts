/**
 * An operation over graphql-ws or SSE is costed once, when it arrives: over the limit it is
 * refused; otherwise a query or mutation runs with its cost in its own context (Apollo's
 * demand-control plugin reads it there), and a subscription keeps the context it came with,
 * which its events' gateway fetches reuse and must not be charged its cost.
 */
import { ErrorCode } from '@microservice-math/shared/errors';
import { buildSchema, GraphQLError, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { RouterContext } from '../context.js';
import { demandControl, type DemandDirectives } from '../gateway/demandControl.js';
import { streamingOperations, type StreamingOperationsOptions } from './streamingOperations.js';

const schema = buildSchema(`
  type Item { id: ID! }
  type Query { items: [Item!]! }
  type Mutation { addItem: Item! }
  type Subscription { itemAdded: Item! }
`);
const directives: DemandDirectives = {
  weights: new Map(),
  listSizes: new Map([['Query.items', { assumedSize: 50, slicingArguments: [] }]]),
};
const MAX_COST = 100;

// Only `costed` is under test: it uses the demand control and nothing else of the options.
const operations = streamingOperations({
  demand: demandControl(MAX_COST, () => directives),
} as unknown as StreamingOperationsOptions);

const arriving = (): RouterContext =>
  ({ caller: null, clientAddress: '127.0.0.1', requestId: 'r' }) as unknown as RouterContext;

describe('streamingOperations.costed', () => {
  // A mutation's root field costs at least 10 (demandControl's MUTATION_WEIGHT), an object 1.
  it.each([
    { kind: 'query', document: '{ items { id } }', cost: 50 },
    { kind: 'mutation', document: 'mutation { addItem { id } }', cost: 10 },
  ])(
    'gives a $kind a context of its own that carries its cost ($cost), leaving the arriving one as it was',
    ({ document, cost }) => {
      const context = arriving();
      const costed = operations.costed(schema, parse(document), null, {}, context);
      expect(costed).not.toBeInstanceOf(GraphQLError);
      expect(costed).not.toBe(context);
      expect(costed).toMatchObject({ ...context, operationCost: cost });
      expect(context.operationCost).toBeUndefined();
    },
  );

  it('hands a subscription back the context it came with, carrying no cost', () => {
    const context = arriving();
    const costed = operations.costed(
      schema,
      parse('subscription { itemAdded { id } }'),
      null,
      {},
      context,
    );
    expect(costed).toBe(context);
    expect(context.operationCost).toBeUndefined();
  });

  it('refuses an operation over the limit with COST_LIMIT_EXCEEDED, naming both figures', () => {
    const document = parse('{ a: items { id } b: items { id } c: items { id } }');
    const costed = operations.costed(schema, document, null, {}, arriving());
    expect(costed).toBeInstanceOf(GraphQLError);
    expect((costed as GraphQLError).extensions).toMatchObject({
      code: ErrorCode.CostLimitExceeded,
      maxCost: MAX_COST,
    });
  });

  it('costs the operation named, in a document of several', () => {
    const document = parse(
      'query Light { items { id } } query Heavy { a: items { id } b: items { id } c: items { id } }',
    );
    expect(operations.costed(schema, document, 'Light', {}, arriving())).not.toBeInstanceOf(
      GraphQLError,
    );
    expect(operations.costed(schema, document, 'Heavy', {}, arriving())).toBeInstanceOf(
      GraphQLError,
    );
  });
});
