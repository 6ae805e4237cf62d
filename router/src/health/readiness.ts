/**
 * What `/ready` checks on the router: a supergraph is loaded, and each subgraph answers its own
 * `/health`. A failing check names the subgraph and why, so an operator reading a 503 knows
 * which service to look at; the router itself keeps serving whatever still works.
 */
import type { ReadinessCheck } from '@microservice-math/shared/serviceHost';
import type { SubgraphName } from '@microservice-math/shared/supergraph';
import { whyUnreachable } from '../gateway/subgraphFailure.js';

const HEALTH_TIMEOUT_MS = 2_000;

async function subgraphAnswers(name: SubgraphName, graphqlUrl: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(new URL('/health', graphqlUrl), {
      signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new Error(`${name} subgraph ${whyUnreachable(error, HEALTH_TIMEOUT_MS)}`);
  }
  if (!response.ok) throw new Error(`${name} subgraph health answered HTTP ${response.status}`);
}

export function routerReadiness(
  supergraphLoaded: () => boolean,
  subgraphUrls: Record<SubgraphName, string>,
): Record<string, ReadinessCheck> {
  const checks: Record<string, ReadinessCheck> = {
    supergraph: async () => {
      if (!supergraphLoaded()) throw new Error('supergraph not loaded');
    },
  };
  for (const [name, url] of Object.entries(subgraphUrls) as Array<[SubgraphName, string]>) {
    checks[name] = () => subgraphAnswers(name, url);
  }
  return checks;
}
