/**
 * What `/ready` checks on the router: a supergraph is loaded, and each subgraph has at least one
 * instance whose own `/ready` says yes (asked every second, see subgraphInstances.ts). A failing
 * check names the subgraph, its instances and why, so an operator reading a 503 knows which
 * service to look at; the router itself keeps serving whatever still works.
 */
import type { ReadinessCheck } from '@microservice-math/shared/serviceHost';
import type { SubgraphInstances } from '../gateway/subgraphInstances.js';

export function routerReadiness(
  supergraphLoaded: () => boolean,
  subgraphs: SubgraphInstances[],
): Record<string, ReadinessCheck> {
  const checks: Record<string, ReadinessCheck> = {
    supergraph: async () => {
      if (!supergraphLoaded()) throw new Error('supergraph not loaded');
    },
  };
  for (const subgraph of subgraphs) {
    checks[subgraph.name] = async () => {
      // Asked afresh only while not ready: a router that just started, or one waiting for a
      // subgraph to come back, should not report the state of a second ago.
      await subgraph.firstPoll;
      try {
        subgraph.checkReady();
      } catch {
        await subgraph.poll();
        subgraph.checkReady();
      }
    };
  }
  return checks;
}
