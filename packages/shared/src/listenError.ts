/**
 * Why a server could not listen, as its start says it. A module of its own, loading nothing but
 * the configuration's error: the web app's server (client/server.js) says the same lines as the
 * services without loading their host (serviceHost.ts, which loads Apollo Server).
 */
import { ConfigError } from './config.js';

/**
 * A port another process holds (or one this user may not bind) is a setting to change, said in
 * one line with the variable that sets it (AUTH_PORT, MATH_PORT, ROUTER_PORT, CLIENT_PORT), not a
 * stack; so is a HOST that is not an address of this machine.
 */
export function listenError(service: string, port: number, error: NodeJS.ErrnoException): Error {
  const variable = `${service.toUpperCase()}_PORT`;
  if (error.code === 'EADDRINUSE')
    return new ConfigError(
      `${service}: port ${port} is already in use by another process; set ${variable} to a free port`,
    );
  if (error.code === 'EACCES')
    return new ConfigError(
      `${service}: not allowed to listen on port ${port}; set ${variable} to a port above 1023`,
    );
  if (error.code === 'EADDRNOTAVAIL')
    return new ConfigError(
      `${service}: HOST is not an address of this machine; set it to one of its addresses, 127.0.0.1, 0.0.0.0 or ::`,
    );
  return error;
}
