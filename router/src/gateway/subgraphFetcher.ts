/**
 * The HTTP client for subgraph calls: undici's `request` on a keep-alive pool per subgraph,
 * wrapped in the small part of the Fetch API that Apollo's RemoteGraphQLDataSource reads (`ok`,
 * `status`, `headers.get`, `json`, `text`).
 *
 * Node's global fetch is the same undici underneath, but each call also builds a WHATWG Request,
 * Headers and body streams, and clones them; under the router benchmark that bookkeeping cost
 * several times the CPU of the call itself. Like fetch, the pool keeps connections alive and
 * has no limit on how many it opens; unlike fetch it follows no redirects (a subgraph that
 * redirects is misconfigured) and asks for no compression.
 */
import { STATUS_CODES, type IncomingHttpHeaders } from 'node:http';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { Pool, type Dispatcher } from 'undici';

/** What RemoteGraphQLDataSource calls: a fetch-shaped function (@apollo/utils.fetcher). */
export type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherResponse = Awaited<ReturnType<Fetcher>>;
type FetcherHeaders = FetcherResponse['headers'];

/** Read-only view of a response's headers (node's lower-cased record). */
class ResponseHeaders implements FetcherHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw)) yield [name, this.get(name) as string];
  }
  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }
  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
  append(): never {
    throw new TypeError('response headers are read-only');
  }
  set(): never {
    throw new TypeError('response headers are read-only');
  }
  delete(): never {
    throw new TypeError('response headers are read-only');
  }
}

class SubgraphResponse implements FetcherResponse {
  readonly redirected = false;
  readonly ok: boolean;
  readonly statusText: string;
  readonly headers: ResponseHeaders;

  constructor(
    readonly url: string,
    readonly status: number,
    headers: IncomingHttpHeaders,
    private readonly body: Dispatcher.ResponseData['body'],
  ) {
    this.ok = status >= 200 && status < 300;
    this.statusText = STATUS_CODES[status] ?? '';
    this.headers = new ResponseHeaders(headers);
  }

  get bodyUsed(): boolean {
    return this.body.bodyUsed;
  }
  text(): Promise<string> {
    return this.body.text();
  }
  json(): Promise<unknown> {
    return this.body.json();
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.body.arrayBuffer();
  }
  clone(): never {
    throw new TypeError('a subgraph response cannot be cloned');
  }
}

export interface SubgraphClients {
  /** The fetcher for one subgraph URL, made on first use and kept across supergraph updates. */
  fetcherFor(url: string): Fetcher;
  /** Closes every pool once its requests in flight have finished. */
  close(): Promise<void>;
}

/** Subgraph HTTP clients whose every call gets a deadline of `timeoutMs` (a `TimeoutError`). */
export function subgraphClients(timeoutMs: number): SubgraphClients {
  const pools = new Map<string, Pool>();
  const fetchers = new Map<string, Fetcher>();

  function fetcherFor(url: string): Fetcher {
    const known = fetchers.get(url);
    if (known) return known;
    const base = new URL(url);
    const basePath = base.pathname + base.search;
    let pool = pools.get(base.origin);
    if (!pool) pools.set(base.origin, (pool = new Pool(base.origin)));
    const client = pool;
    const pathOf = (target: string) => {
      if (target === url) return basePath;
      const parsed = new URL(target);
      if (parsed.origin !== base.origin) throw new Error(`${target} is not on ${base.origin}`);
      return parsed.pathname + parsed.search;
    };
    const fetcher = async (target: string, init: Parameters<Fetcher>[1] = {}) => {
      const response = await client.request({
        path: pathOf(target),
        method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: init.headers,
        body: init.body ?? null,
        signal: AbortSignal.timeout(timeoutMs),
      });
      return new SubgraphResponse(target, response.statusCode, response.headers, response.body);
    };
    fetchers.set(url, fetcher as Fetcher);
    return fetcher as Fetcher;
  }

  return {
    fetcherFor,
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
  };
}
