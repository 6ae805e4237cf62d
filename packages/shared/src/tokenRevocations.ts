/**
 * Tokens revoked before their expiry (logout), by revocation id: a token's id (`jti`), or a
 * session's (`session:` and the tokens' `sid`, `sessionRevocationId`), which ends every token of
 * that session, the ones renewed from each other included. Each is kept until what it names
 * would have expired anyway (the token's `exp`; the session's maximum age). Auth writes them;
 * every router reads them before it accepts a token, asking about all of the token's ids at once
 * (`revocationIds`). With Redis they are shared by every process; without it, by the services of this one
 * process (the one-process start), through one map per process. While Redis is unreachable the
 * process's own revocations still hold, and a token revoked elsewhere is accepted until Redis
 * returns: the alternative would refuse every request during an outage. Auth keeps the ones Redis
 * did not take in its database too (`PendingRevocations`), so that they outlive its restarts.
 *
 * Each revocation is also announced: on the TOKEN_REVOKED channel (Redis pub/sub, JSON
 * `{ tokenId, expiresAt }`, `tokenId` being the revocation id, a session's too) to every router,
 * and to this process's listeners. A router notes announced ones here (`announced`), so it knows
 * them without asking Redis, and ends the open sockets and streams of that token or session
 * (`onRevoked`).
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import type { Caller } from './routerContext.js';

/** What a caller using a revoked token (after `logout`) is told, wherever it is used. */
export const TOKEN_REVOKED_MESSAGE = 'Token revoked; sign in again';

/** Not under REDIS_KEY_PREFIX (pub/sub channels have none): token ids are unique anyway. */
export const TOKEN_REVOKED_CHANNEL = 'TOKEN_REVOKED';

export interface RevokedToken {
  /** The revocation id: a token id, or a session's (`sessionRevocationId`). */
  tokenId: string;
  /** When what it names expires (the token's `exp`, the session's end), seconds since the epoch. */
  expiresAt: number;
}

/** The revocation id of a whole session: never a token id (those are UUIDs without a prefix). */
export const sessionRevocationId = (sessionId: string) => `session:${sessionId}`;

/**
 * The revocation ids any one of which ends the caller's token: its own id, and its session's.
 * A token from before session ids has only its own; one from before token ids has none.
 */
export function revocationIds(caller: Pick<Caller, 'token' | 'sessionId'>): string[] {
  const ids: string[] = [];
  if (caller.token) ids.push(caller.token.id);
  if (caller.sessionId) ids.push(sessionRevocationId(caller.sessionId));
  return ids;
}

export interface TokenRevocations {
  /**
   * `id`: a token's id or a session's revocation id; `expiresAt`: when it expires anyway (the
   * token's `exp`, the session's maximum age), in seconds since the epoch.
   */
  revoke(id: string, expiresAt: number): Promise<void>;
  /** Whether any of `ids` is revoked (one Redis round trip for all of them). */
  isRevoked(...ids: string[]): Promise<boolean>;
  /** Whether this process knows the id revoked (its own or an announced revocation). */
  revokedHere(id: string): boolean;
  /** A revocation announced on TOKEN_REVOKED by another process. */
  announced(token: RevokedToken): void;
  /** Calls `listener` with each id (token or session) revoked from now on; returns the removal. */
  onRevoked(listener: (id: string) => void): () => void;
}

/** Revocation id → when its revocation may be forgotten (ms since the epoch). */
const inProcess = new Map<string, number>();
/** Revocations noted in this process, for every listener in it (one-process start included). */
const revoked = new EventEmitter().setMaxListeners(0);

const key = (tokenId: string) => `revoked-token:${tokenId}`;

function revokedHere(tokenId: string): boolean {
  const until = inProcess.get(tokenId);
  if (until === undefined) return false;
  if (until > Date.now()) return true;
  inProcess.delete(tokenId);
  return false;
}

/** Remembers the revocation in this process and tells its listeners; false if already expired. */
function note({ tokenId, expiresAt }: RevokedToken): boolean {
  const until = expiresAt * 1000;
  if (until <= Date.now()) return false;
  const known = revokedHere(tokenId);
  inProcess.set(tokenId, until);
  for (const [id, forgetAt] of inProcess) if (forgetAt <= Date.now()) inProcess.delete(id);
  if (!known) revoked.emit('revoked', tokenId);
  return true;
}

export function isRevokedToken(message: unknown): message is RevokedToken {
  const m = message as Partial<RevokedToken> | null;
  return typeof m?.tokenId === 'string' && typeof m.expiresAt === 'number';
}

/** How often revocations Redis could not take are offered to it again. */
const RESHARE_MS = 1_000;
/**
 * How often a process with Redis reads the pending store for revocations other processes left
 * there: one that lost Redis (alone, a partition) and then crashed is delivered by another that
 * never lost it within this long. Also read at the start and whenever Redis returns.
 */
export const PENDING_SWEEP_MS = 15_000;

/**
 * Where the revocations Redis did not take are kept beyond this process (auth's database), so
 * that a restart does not lose them: any process with the same store (every auth instance over
 * one database) loads them, and delivers them once Redis takes them.
 */
export interface PendingRevocations {
  /** Keeps one Redis did not take (again, if already kept). */
  keep(token: RevokedToken): Promise<void>;
  /** Every one still kept, this process's and others'. */
  list(): Promise<RevokedToken[]>;
  /** Redis took it, or it expired. */
  remove(tokenId: string): Promise<void>;
}

export interface RevocationOptions {
  /** Without it, those Redis did not take live only in this process until Redis takes them. */
  pending?: PendingRevocations;
  logger?: Logger;
  /** PENDING_SWEEP_MS unless given (tests). */
  sweepMs?: number;
}

export interface RevocationWriter extends TokenRevocations {
  /**
   * Stops offering them to Redis; resolves with how many Redis has not taken (kept in the
   * pending store, when there is one, for the next process to deliver).
   */
  close(): Promise<number>;
}

export function createTokenRevocations(
  redis: Redis | undefined,
  { pending, logger, sweepMs = PENDING_SWEEP_MS }: RevocationOptions = {},
): RevocationWriter {
  /**
   * Revocations noted here that Redis did not take (down, or too slow to answer): every other
   * router learns of them once it does, so a logout while Redis is away still ends the token
   * everywhere, a little later, instead of failing after this process already refuses it. With
   * a pending store they are kept there too, and those kept by other processes join them.
   */
  const unshared = new Map<string, number>();
  let retry: NodeJS.Timeout | undefined;
  let sweep: NodeJS.Timeout | undefined;
  let delivering: Promise<void> | undefined;
  /** Whether the next delivery reads the pending store first (not each retry: the store changes rarely). */
  let readStore = Boolean(pending);
  /** The store was asked for while a delivery ran: the next one reads it. */
  let storeAsked = false;
  let closed = false;

  async function share(client: Redis, tokenId: string, expiresAt: number): Promise<void> {
    const ms = expiresAt * 1000 - Date.now();
    if (ms <= 0) return;
    await client.set(key(tokenId), '1', 'PX', ms);
    // Written first, announced second: a router that hears of it finds it in Redis too.
    await client.publish(TOKEN_REVOKED_CHANNEL, JSON.stringify({ tokenId, expiresAt }));
  }

  function retryEachSecond(): void {
    if (closed) return;
    retry ??= setInterval(() => void deliver(), RESHARE_MS).unref();
  }

  /** Redis took it, or it expired: no longer pending, here or in the store. */
  async function taken(tokenId: string): Promise<void> {
    unshared.delete(tokenId);
    try {
      await pending?.remove(tokenId);
    } catch (error) {
      // Still in the store: delivered once more later, which changes nothing.
      logger?.warn(
        { err: (error as Error).message },
        'delivered revocation not removed from store',
      );
    }
  }

  async function shareTheRest(client: Redis): Promise<void> {
    if (pending && readStore) {
      readStore = false;
      try {
        // Noted here too: this process refuses them at once, before Redis knows them.
        for (const kept of await pending.list())
          if (note(kept)) unshared.set(kept.tokenId, kept.expiresAt);
          else await taken(kept.tokenId); // expired
      } catch (error) {
        logger?.warn({ err: (error as Error).message }, 'pending revocations not read; retrying');
        readStore = true;
        retryEachSecond();
        return;
      }
    }
    for (const [tokenId, expiresAt] of unshared) {
      if (closed) return;
      try {
        await share(client, tokenId, expiresAt);
      } catch {
        break; // still away: the next attempt takes it from here
      }
      await taken(tokenId);
    }
    if (unshared.size === 0) {
      clearInterval(retry);
      retry = undefined;
    } else retryEachSecond();
  }

  /**
   * One delivery at a time: the retry, Redis's return, the sweep and the start may ask together.
   * `fromStore`: read the pending store first; asked while a delivery runs, the next one does.
   */
  function deliver(fromStore = false): Promise<void> {
    if (!redis || closed) return Promise.resolve();
    if (fromStore && pending) {
      if (delivering) {
        storeAsked = true;
        return delivering;
      }
      readStore = true;
    }
    delivering ??= shareTheRest(redis).finally(() => {
      delivering = undefined;
      if (storeAsked && !closed) {
        storeAsked = false;
        void deliver(true);
      }
    });
    return delivering;
  }

  const onReady = () => void deliver(true);
  if (redis && pending) {
    // Kept by an earlier process (or another one over the same store): delivered from the start,
    // again whenever Redis returns, and on each sweep, by whichever process is connected then.
    redis.on('ready', onReady);
    sweep = setInterval(() => void deliver(true), sweepMs).unref();
    void deliver(true);
  }

  return {
    async revoke(tokenId, expiresAt) {
      if (!note({ tokenId, expiresAt })) return;
      if (!redis) return;
      try {
        await share(redis, tokenId, expiresAt);
      } catch {
        unshared.set(tokenId, expiresAt);
        try {
          await pending?.keep({ tokenId, expiresAt });
        } catch (error) {
          logger?.error(
            { err: (error as Error).message },
            'revocation Redis did not take not kept in the database either; only in memory',
          );
        }
        retryEachSecond();
      }
    },
    async isRevoked(...ids) {
      if (ids.some(revokedHere)) return true;
      if (!redis || ids.length === 0) return false;
      try {
        return (await redis.exists(...ids.map(key))) > 0;
      } catch {
        return false; // Redis away: see above
      }
    },
    revokedHere,
    announced(token) {
      note(token);
    },
    onRevoked(listener) {
      revoked.on('revoked', listener);
      return () => revoked.off('revoked', listener);
    },
    async close() {
      closed = true;
      clearInterval(retry);
      clearInterval(sweep);
      retry = undefined;
      redis?.off('ready', onReady);
      await delivering;
      return unshared.size;
    },
  };
}
