/**
 * What a user's live subscriptions cost the router, together. A query's cost is paid once; a
 * subscription's is paid again for every event, and the user makes the events: one request of 30
 * aliased calculations is 30 events for each subscription they hold. Caps on sockets, streams and
 * operations bound how many subscriptions a user holds, not what each event costs them all: 500
 * subscriptions of cost 22 (each within ROUTER_MAX_COST) made one such request 15,000 deliveries,
 * 3 s of the router's CPU. So each user's open subscriptions share one budget of demand per event,
 * across the graphql-ws sockets and graphql-sse streams they hold on this router.
 *
 * A subscription's demand per event is what the router does for it when an event arrives, in
 * demand control's unit (an object in an answer, about 5 µs of the router's CPU here): its
 * operation's cost, plus the delivery itself, plus each fetch of the log's owner through the
 * gateway (logAddedResolver.ts), which costs as much as several hundred objects; a `user { … }`
 * answered from the subscriber's token (its `id`, `username`) fetches nothing and adds nothing.
 */
import { codedError, ErrorCode } from '@microservice-math/shared/errors';
import type { GraphQLError } from 'graphql';

/**
 * Running the subscription's selection for one event and sending it, whatever it selects: about
 * 30 µs of the router's CPU (measured: `logAdded { id }` delivered 15,000 times in 0.44 s).
 */
export const EVENT_WEIGHT = 5;
/**
 * One fetch of the log's owner (`user { … }` selecting more than its `id`, `username` and
 * `__typename`, which the router answers from the token without a fetch: logAddedResolver.ts)
 * through the gateway, per event: a whole operation planned and run against auth (and math for
 * the owner's logs). Measured at 3-5 ms of the router's CPU per fetch, which is 500-1,000 in this
 * unit (5-6 µs each, see EVENT_WEIGHT); an earlier probe saw about 1 ms (500 subscriptions each
 * selecting a distinct `user` field spent 8 s on 8,000 fetches). Counted for every subscription
 * that makes one, though identical selections share a fetch: a user can always make their
 * selections distinct.
 *
 * Why 400, below what a fetch costs: it was 200 so that README's example subscription
 * (`user { username }`, cost 6) fitted the default budget of 500 beside other feeds. That one no
 * longer fetches (6 + 5 = 11), so the weight can come close to the measured cost; but at 500 or
 * more no subscription that fetches could ever run at the default budget (it is refused
 * COST_LIMIT_EXCEEDED alone). At 400 one fetching subscription of cost up to 95 still runs
 * (`user { createdAt logs(limit: 20) { id } }`: 22 + 5 + 400 = 427), and two never run together
 * (2 × 407 > 500), so one user's events make at most one fetch each at the default budget
 * (at 200, two: 3-5 ms each, per event).
 */
export const OWNER_FETCH_WEIGHT = 400;

/** A subscription's demand per event: see the module's comment. */
export function subscriptionDemand(operationCost: number, ownerFetches: number): number {
  return operationCost + EVENT_WEIGHT + OWNER_FETCH_WEIGHT * ownerFetches;
}

/** Gives back what a subscription held; calling it again does nothing. */
export type ReleaseDemand = () => void;

export interface LiveDemandBudget {
  /**
   * Holds `demand` of `userId`'s budget until the release is called; the refusal, holding
   * nothing, when it would take the user's live total over the budget.
   */
  hold(userId: string, demand: number): ReleaseDemand | GraphQLError;
  /** What `userId`'s open subscriptions hold now. */
  live(userId: string): number;
}

export function liveDemandBudget(maxPerUser: number): LiveDemandBudget {
  const held = new Map<string, number>();
  const live = (userId: string) => held.get(userId) ?? 0;
  return {
    live,
    hold(userId, demand) {
      // Alone over the budget, it would never be admitted: the operation is what is too costly.
      if (demand > maxPerUser) {
        return codedError(
          ErrorCode.CostLimitExceeded,
          `This subscription costs ${demand} per event, over the limit of ${maxPerUser} that one user's live subscriptions may cost together: ask for fewer or smaller lists, or for no more of the log's user than its id and username`,
          { cost: demand, maxCost: maxPerUser },
        );
      }
      const holding = live(userId);
      if (holding + demand > maxPerUser) {
        return codedError(
          ErrorCode.RateLimited,
          `Too much live demand: this subscription costs ${demand} per event, and your open subscriptions already cost ${holding} of the ${maxPerUser} that one user's may cost together; end one first`,
          { retryAfterSeconds: 1, cost: demand, liveCost: holding, maxLiveCost: maxPerUser },
        );
      }
      held.set(userId, holding + demand);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = live(userId) - demand;
        if (left > 0) held.set(userId, left);
        else held.delete(userId);
      };
    },
  };
}
