import type { Server } from 'node:http';
import type { Express } from 'express';

export interface ClientServerOptions {
  /** The router's base URL, e.g. http://localhost:8000; `/graphql` is proxied to it. */
  routerUrl: string;
  /** The built bundle; defaults to `client/dist`. */
  distDir?: string;
  /** Where proxy failures are reported; defaults to the console. */
  logger?: { warn(message: string): void };
  /**
   * `CLIENT_PROXY_SECRET`, shared with the router: sent with every proxied request so that the
   * router counts the browser's address (X-Forwarded-For) instead of this server's.
   */
  proxySecret?: string;
}

export interface ClientServer {
  app: Express;
  server: Server;
  /** Starts listening; resolves to the bound port (pass 0 for a free one). */
  listen(port?: number, host?: string): Promise<number>;
  /** Stops accepting connections, ends proxied WebSockets and resolves once the server is closed. */
  close(): Promise<void>;
}

export const defaultDistDir: string;
export function createClientServer(options: ClientServerOptions): ClientServer;
export function clientConfigFrom(env: Record<string, string | undefined>): {
  port: number;
  routerUrl: string;
  proxySecret: string | undefined;
  /** Where to listen: `HOST`; unset, every interface in production, 127.0.0.1 otherwise. */
  host: string | undefined;
};
