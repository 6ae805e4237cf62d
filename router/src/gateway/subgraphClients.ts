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
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http';
import { Pool } from 'undici';

export interface SubgraphAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * POSTs `body` with `headers` to one subgraph URL and reads the whole answer. `deadlineAt`
 * (`performance.now()` time) replaces the client's own deadline, e.g. for a retry that must end
 * when the first attempt would have; `signal` aborts the call (the caller went away).
 */
export type SubgraphPost = (
  headers: Record<string, string>,
  body: string,
  options?: { deadlineAt?: number; signal?: AbortSignal },
) => Promise<SubgraphAnswer>;

/**
 * Errors that mean the request got no answer byte: the connection was refused, or closed by the
 * subgraph before it answered (an idle keep-alive connection closed by a draining subgraph just
 * as a request was sent on it), or never made (its host name does not resolve, as a stopped
 * container's does not; its host cannot be reached; the connect timed out). Another attempt, on
 * a fresh connection, is safe, and twice means the subgraph is unavailable, not broken.
 */
const NO_ANSWER_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const failedBeforeAnswer = new WeakSet<object>();

/** Whether `error` is a call that failed before any byte of an answer arrived. */
export function isNoAnswer(error: unknown): boolean {
  return typeof error === 'object' && error !== null && failedBeforeAnswer.has(error);
}

export interface SubgraphClients {
  /** The client for one subgraph URL, made on first use and kept across supergraph updates. */
  clientFor(url: string): SubgraphPost;
  /** Closes every pool once its calls in flight have finished. */
  close(): Promise<void>;
}

/**
 * What a call gives undici to abort it: an EventEmitter with `aborted` and `reason`, which
 * undici takes in place of an AbortSignal (its `signal` option is "AbortSignal | EventEmitter")
 * and reads the same way. On Node 20 an AbortController, its signal and a listener on it cost
 * about 25 µs of the router's CPU per subgraph call in the router benchmark's profile; an
 * EventEmitter costs a fraction of that, and nothing outside this module sees it.
 */
class CallAbort extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

function abortForTimeout(call: CallAbort): void {
  call.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
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
    const post: SubgraphPost = async (headers, body, options = {}) => {
      const call = new CallAbort();
      const ms =
        options.deadlineAt === undefined ? timeoutMs : options.deadlineAt - performance.now();
      const deadline = setTimeout(abortForTimeout, Math.max(0, ms), call);
      const abort = () => call.abort(options.signal?.reason);
      options.signal?.addEventListener('abort', abort, { once: true });
      if (options.signal?.aborted) abort();
      try {
        const response = await target
          .request({
            path,
            method: 'POST',
            headers,
            body,
            signal: call,
          })
          .catch((error: unknown) => {
            const code = (error as { code?: unknown } | null)?.code;
            if (!call.aborted && typeof code === 'string' && NO_ANSWER_CODES.has(code))
              failedBeforeAnswer.add(error as object);
            throw error;
          });
        return {
          status: response.statusCode,
          headers: response.headers,
          body: await response.body.text(),
        };
      } finally {
        clearTimeout(deadline);
        options.signal?.removeEventListener('abort', abort);
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
