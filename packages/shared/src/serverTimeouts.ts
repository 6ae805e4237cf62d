/**
 * How long a client may take to send a request, for every HTTP server here (ServiceHost's
 * router, auth and math; the client's server): its headers, then the whole of it. Node's own
 * defaults (60 s and 300 s, checked every 30 s) let a client that sends its body a byte every
 * few seconds hold a connection and a parser for minutes; past these the connection is answered
 * 408 and closed. A request's body is at most the body limit (64 KB at the router), so 20 s
 * leaves a slow link plenty. Only the request is timed, not its answer: a long calculation, an
 * SSE stream and an upgraded WebSocket are not affected.
 */
export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 20_000;
/** How often Node looks for requests past those timeouts (its default, 30 s, would add up to that). */
export const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/** The options for `http.createServer`, with the defaults above unless given. */
export function serverTimeouts(
  given: { headersTimeoutMs?: number; requestTimeoutMs?: number } = {},
): { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number } {
  const requestTimeout = given.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  return {
    requestTimeout,
    // Node refuses a headers timeout longer than the request timeout.
    headersTimeout: Math.min(given.headersTimeoutMs ?? HEADERS_TIMEOUT_MS, requestTimeout),
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  };
}
