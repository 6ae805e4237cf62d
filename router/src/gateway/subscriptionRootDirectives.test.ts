/**
 * The plugin that refuses `@skip`/`@include` at a subscription's top level (its behaviour over
 * HTTP, graphql-ws and SSE: router/test/subscriptionRootDirectives.test.ts) keeps nothing per
 * request: every request is given the same listener, none allocated for it.
 */
import type { GraphQLRequestContext } from '@apollo/server';
import { expect, it } from 'vitest';
import { refuseSubscriptionRootDirectives } from './subscriptionRootDirectives.js';

it('gives every request the same listener', async () => {
  const plugin = refuseSubscriptionRootDirectives();
  const request = {} as GraphQLRequestContext<object>;
  const first = await plugin.requestDidStart?.(request);
  expect(first).toHaveProperty('validationDidStart');
  expect(await plugin.requestDidStart?.(request)).toBe(first);
});
