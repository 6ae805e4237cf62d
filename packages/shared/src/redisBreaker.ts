/**
 * A circuit breaker for the ioredis connections of this process, for a Redis that accepts
 * commands and never answers them (frozen, swapping, stuck on a slow script). A Redis that is
 * down costs callers nothing: with no offline queue, commands fail at once and callers fall
 * back. A frozen one keeps its connections open, so each command waits out the command timeout,
 * and a request making several calls waits that long several times.
 *
 * Once a command times out, that Redis counts as away for every connection of this process to
 * it (Redis runs one command at a time: one that does not answer, none does): their commands
 * fail at once, as while Redis is down (callers take the same fallbacks), and nothing more is
 * written to it but a PING at growing intervals. When one is answered (or a connection is ready
 * again after a reconnection), commands go to Redis again and each connection emits 'ready',
 * the event its users already resume on after an outage (publishing held events, delivering
 * pending revocations, merging counts kept in memory).
 */
import { Command, type Redis } from 'ioredis';
import type { Logger } from './logger.js';

/** The error of every command refused while Redis counts as away. */
export const REDIS_NOT_ANSWERING = 'Redis not answering: command not sent';

/** Pause before the first probe; doubled after each unanswered one… */
const FIRST_PROBE_MS = 100;
/** …up to this. */
const MAX_PROBE_MS = 2_000;
/** How long a probe waits for its PING's answer. */
const PROBE_TIMEOUT_MS = 250;

const TIMED_OUT = 'Command timed out'; // ioredis's commandTimeout error

interface Connection {
  /** The connection's own sendCommand, which the breaker's wraps. */
  send: (command: Command) => unknown;
  logger: Logger;
  /** Commands refused since Redis last went away. */
  refused: number;
}

/** One Redis server, as this process's connections to it see it. */
interface Server {
  connections: Map<Redis, Connection>;
  away: boolean;
  awaySince: number;
  probe: NodeJS.Timeout | undefined;
}

/** By address: every connection to one server shares its state. */
const servers = new Map<string, Server>();
const serverOf = new WeakMap<Redis, Server>();

/**
 * Whether commands on `redis` are sent to Redis now: connected and, if it has a breaker, Redis
 * not counted as away. What `status === 'ready'` means to a caller that checks before sending.
 */
export function redisAnswering(redis: Redis): boolean {
  return redis.status === 'ready' && serverOf.get(redis)?.away !== true;
}

function goAway(server: Server): void {
  if (server.away) return;
  server.away = true;
  server.awaySince = Date.now();
  for (const connection of server.connections.values()) {
    connection.refused = 0;
    connection.logger.warn('Redis not answering; falling back until it does');
  }
  probeAfter(server, FIRST_PROBE_MS);
}

/** Redis answers again; `reconnected` already said 'ready' itself. */
function comeBack(server: Server, reconnected?: Redis): void {
  clearTimeout(server.probe);
  server.probe = undefined;
  if (!server.away) return;
  server.away = false;
  const awayMs = Date.now() - server.awaySince;
  for (const [redis, connection] of server.connections) {
    connection.logger.info({ awayMs, refused: connection.refused }, 'Redis answering again');
    // Users of the connection resume on 'ready', as after a reconnection.
    if (redis !== reconnected && redis.status === 'ready') redis.emit('ready');
  }
}

function probeAfter(server: Server, ms: number): void {
  clearTimeout(server.probe);
  server.probe = setTimeout(() => {
    server.probe = undefined;
    const next = () => {
      if (server.away && server.connections.size > 0)
        probeAfter(server, Math.min(ms * 2, MAX_PROBE_MS));
    };
    const [redis, connection] =
      [...server.connections].find(([candidate]) => candidate.status === 'ready') ?? [];
    if (!redis || !connection) return next(); // reconnecting: its 'ready' will say
    const ping = new Command('ping');
    ping.setTimeout(PROBE_TIMEOUT_MS); // before sending: the connection's own timeout is longer
    void connection.send(ping);
    ping.promise.then(() => comeBack(server), next);
  }, ms).unref();
}

/**
 * Puts a breaker on `redis` (once, where it is created, before anyone else listens to its
 * 'ready'). Only timeouts make Redis count as away, and only connections with a
 * `commandTimeout` take part: one without (whose commands wait for Redis however long it takes,
 * like a subscriber's) is left as it is.
 */
export function breakOnTimeouts(redis: Redis, logger: Logger): void {
  if (typeof redis.options.commandTimeout !== 'number') return;
  const address = redis.options.path ?? `${redis.options.host}:${redis.options.port}`;
  let server = servers.get(address);
  if (!server) {
    server = { connections: new Map(), away: false, awaySince: 0, probe: undefined };
    servers.set(address, server);
  }
  const shared = server;
  serverOf.set(redis, shared);
  const send = redis.sendCommand.bind(redis);
  const connection: Connection = { send, logger, refused: 0 };
  shared.connections.set(redis, connection);

  redis.sendCommand = (command, stream) => {
    // Only on a ready connection: a reconnecting one's handshake (its ready check's INFO above
    // all) must reach Redis, or it would never be ready again; it sends nothing else anyway.
    if (shared.away && redis.status === 'ready') {
      connection.refused++;
      command.reject(new Error(REDIS_NOT_ANSWERING));
      return command.promise;
    }
    const sent = send(command, stream);
    command.promise.catch((error: unknown) => {
      if ((error as Error).message === TIMED_OUT) goAway(shared);
    });
    return sent;
  };
  redis.on('ready', () => {
    shared.connections.set(redis, connection); // again, if it was closed and reconnected
    comeBack(shared, redis); // a reconnection's ready check (INFO) was answered
  });
  redis.on('end', () => {
    // Closed for good: no longer probed, nor told.
    shared.connections.delete(redis);
    if (shared.connections.size === 0) {
      // Nobody left to probe for: the next connection starts afresh.
      clearTimeout(shared.probe);
      shared.probe = undefined;
      shared.away = false;
    }
  });
}
