/**
 * The HTTP client for subgraph calls: undici's `request` on a keep-alive pool per subgraph
 * origin. Node's global fetch is the same undici underneath, but each call also builds a WHATWG
 * Request, Headers and body streams and tees them; under the router benchmark that bookkeeping
 * cost several times the CPU of the call itself. Like fetch, a pool keeps its connections alive
 * and opens as many as there are calls in flight; unlike fetch it follows no redirects (a
 * subgraph that redirects is misconfigured) and asks for no compression.
 *
 * Every call has a deadline for the whole exchange, answer body included, after which it fails
 * with a `TimeoutError` as fetch's `AbortSignal.timeout` would. The timer is cleared when the
 * call ends: a timeout signal's timer would still fire for every finished call, building an
 * error each time.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';

export interface SubgraphAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** POSTs `body` with `headers` to one subgraph URL and reads the whole answer. */
export type SubgraphPost = (
  headers: Record<string, string>,
  body: string,
) => Promise<SubgraphAnswer>;

export interface SubgraphClients {
  /** The client for one subgraph URL, made on first use and kept across supergraph updates. */
  clientFor(url: string): SubgraphPost;
  /** Closes every pool once its calls in flight have finished. */
  close(): Promise<void>;
}

function abortForTimeout(controller: AbortController): void {
  controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
}

export function subgraphClients(timeoutMs: number): SubgraphClients {
  const pools = new Map<string, Pool>();
  const clients = new Map<string, SubgraphPost>();

  function clientFor(url: string): SubgraphPost {
    const known = clients.get(url);
    if (known) return known;
    const { origin, pathname, search } = new URL(url);
    let pool = pools.get(origin);
    if (!pool) pools.set(origin, (pool = new Pool(origin)));
    const target = pool;
    const path = pathname + search;
    const post: SubgraphPost = async (headers, body) => {
      const controller = new AbortController();
      const deadline = setTimeout(abortForTimeout, timeoutMs, controller);
      try {
        const response = await target.request({
          path,
          method: 'POST',
          headers,
          body,
          signal: controller.signal,
        });
        return {
          status: response.statusCode,
          headers: response.headers,
          body: await response.body.text(),
        };
      } finally {
        clearTimeout(deadline);
      }
    };
    clients.set(url, post);
    return post;
  }

  return {
    clientFor,
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
  };
}
