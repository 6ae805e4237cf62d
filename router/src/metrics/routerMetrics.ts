/**
 * The router's own Prometheus metrics, registered in the service's registry (`/metrics`) next
 * to the shared GraphQL request counters. Subscriptions never pass through Apollo Server's
 * request pipeline, so they are counted here.
 */
import { Counter, Gauge, type Registry } from '@microservice-math/shared/metrics';

export interface RouterMetrics {
  activeSubscriptions: Gauge;
  logAddedDelivered: Counter;
  logAddedGatewayResolutions: Counter;
  rateLimited: Counter<'transport' | 'limit'>;
}

export function createRouterMetrics(registry: Registry): RouterMetrics {
  return {
    activeSubscriptions: new Gauge({
      name: 'router_active_subscriptions',
      help: 'Subscriptions currently open over graphql-ws',
      registers: [registry],
    }),
    logAddedDelivered: new Counter({
      name: 'router_log_added_events_delivered_total',
      help: 'logAdded events sent to subscribers (one per event and subscriber)',
      registers: [registry],
    }),
    logAddedGatewayResolutions: new Counter({
      name: 'router_log_added_gateway_resolutions_total',
      help: 'Gateway fetches made to complete logAdded events (one per event and distinct selection)',
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'router_rate_limited_total',
      help: "Requests, operations, sockets and streams refused by the router's limits, by transport and limit",
      labelNames: ['transport', 'limit'] as const,
      registers: [registry],
    }),
  };
}
