/**
 * A live feed's catch-up page is a light operation: its cost, counted against the committed
 * supergraph as the router counts every operation, is LOG_REPLAY_COST, which the config accepts as
 * the lowest ROUTER_HEAVY_OPERATION_COST. So catch-ups never wait in the heavy operations' line
 * (tests/reliability/liveFeed.test.ts resumes 70 feeds at once past that line's 64 places).
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { supergraphPath } from '@microservice-math/shared/supergraph';
import { getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadRouterConfig } from '../config.js';
import { operationCost, readDemandDirectives } from '../gateway/demandControl.js';
import { LOG_REPLAY_COST, LOG_REPLAY_QUERY } from './logFeed.js';

describe('a live feed’s catch-up page', () => {
  it('costs LOG_REPLAY_COST, and no heavy-operation cost the config accepts is below it', async () => {
    const supergraphSdl = readFileSync(supergraphPath, 'utf8');
    const gateway = new ApolloGateway({ supergraphSdl });
    const { schema } = await gateway.load();
    try {
      const document = parse(LOG_REPLAY_QUERY);
      const cost = operationCost({
        schema,
        document,
        operation: getOperationAST(document)!,
        variables: { before: 'a' },
        directives: readDemandDirectives(supergraphSdl),
      });
      expect(cost).toBe(LOG_REPLAY_COST);
    } finally {
      await gateway.stop();
    }
    const withHeavyCost = (cost: number) => () =>
      loadRouterConfig({
        ROUTER_SECRET: 'a'.repeat(32),
        ROUTER_HEAVY_OPERATION_COST: String(cost),
      });
    expect(withHeavyCost(LOG_REPLAY_COST)).not.toThrow();
    expect(withHeavyCost(LOG_REPLAY_COST - 1)).toThrow(/ROUTER_HEAVY_OPERATION_COST/);
  });
});
