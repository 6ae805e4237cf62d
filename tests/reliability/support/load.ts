/** Load as a client sees it: lanes of back-to-back requests, each outcome classified. */
import { bearer } from '../../support/graphql.js';

export interface Outcome {
  sentAt: number;
  answeredAt: number;
  /** HTTP status, when there was an HTTP answer. */
  status?: number;
  /** The first root field's value, when answered with data. */
  data?: Record<string, unknown>;
  /** Why there is no data: the GraphQL error code, or the network error's code. */
  failure?: string;
}

/**
 * Runs `lanes` loops, each sending its next request as soon as the previous one is answered,
 * until `done()` says stop. Resolves with every outcome once each lane's last request ends.
 */
export async function inLanes(
  lanes: number,
  done: () => boolean,
  send: (i: number) => Promise<Outcome>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (!done()) outcomes.push(await send(next++));
    }),
  );
  return outcomes;
}

/** "ECONNREFUSED", "ECONNRESET", "UND_ERR_SOCKET"…: what a client would see of a lost connection. */
export function networkFailure(error: unknown): string {
  const cause = (error as Error).cause as NodeJS.ErrnoException | undefined;
  return cause?.code ?? (error as Error).name;
}

/** POSTs one operation and classifies what came back. */
export async function sendOperation(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Outcome> {
  const sentAt = performance.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    let body: {
      data?: Record<string, Record<string, unknown> | null> | null;
      errors?: Array<{ extensions?: { code?: string } }>;
    };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // Not a GraphQL answer (Node's own 408 has no body): the status says what it was.
      const failure = `HTTP ${response.status} without JSON`;
      return { sentAt, answeredAt: performance.now(), status: response.status, failure };
    }
    const data = body.data ? Object.values(body.data)[0] : undefined;
    return {
      sentAt,
      answeredAt: performance.now(),
      status: response.status,
      ...(data ? { data } : { failure: body.errors?.[0]?.extensions?.code ?? 'no data' }),
    };
  } catch (error) {
    return { sentAt, answeredAt: performance.now(), failure: networkFailure(error) };
  }
}

/** A calculation through the router as a signed-in user (`headers`: e.g. its Idempotency-Key). */
export const calculate = (
  routerUrl: string,
  token: string,
  query: string,
  headers: Record<string, string> = {},
) => sendOperation(routerUrl, query, {}, { ...bearer(token), ...headers });

/** How many outcomes failed, by reason: `{ ECONNREFUSED: 3 }`. */
export function failuresByReason(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { failure } of outcomes) if (failure) counts[failure] = (counts[failure] ?? 0) + 1;
  return counts;
}
