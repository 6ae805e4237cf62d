/**
 * Tokens revoked before their expiry (logout), by token id (`jti`), each kept until the token
 * would have expired anyway. Auth writes them; every router reads them before it accepts a
 * token. With Redis they are shared by every process; without it, by the services of this one
 * process (the one-process start), through one map per process. While Redis is unreachable the
 * process's own revocations still hold, and a token revoked elsewhere is accepted until Redis
 * returns: the alternative would refuse every request during an outage.
 *
 * Each revocation is also announced: on the TOKEN_REVOKED channel (Redis pub/sub, JSON
 * `{ tokenId, expiresAt }`) to every router, and to this process's listeners. A router notes
 * announced ones here (`announced`), so it knows them without asking Redis, and ends the open
 * sockets and streams of that token (`onRevoked`).
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

/** What a caller using a revoked token (after `logout`) is told, wherever it is used. */
export const TOKEN_REVOKED_MESSAGE = 'Token revoked; sign in again';

/** Not under REDIS_KEY_PREFIX (pub/sub channels have none): token ids are unique anyway. */
export const TOKEN_REVOKED_CHANNEL = 'TOKEN_REVOKED';

export interface RevokedToken {
  tokenId: string;
  /** The token's `exp`, in seconds since the epoch. */
  expiresAt: number;
}

export interface TokenRevocations {
  /** `expiresAt`: the token's `exp`, in seconds since the epoch. */
  revoke(tokenId: string, expiresAt: number): Promise<void>;
  isRevoked(tokenId: string): Promise<boolean>;
  /** Whether this process knows the token revoked (its own or an announced revocation). */
  revokedHere(tokenId: string): boolean;
  /** A revocation announced on TOKEN_REVOKED by another process. */
  announced(token: RevokedToken): void;
  /** Calls `listener` with each token id revoked from now on; returns the removal. */
  onRevoked(listener: (tokenId: string) => void): () => void;
}

/** Token id → when its revocation may be forgotten (ms since the epoch). */
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

export function createTokenRevocations(redis: Redis | undefined): TokenRevocations {
  return {
    async revoke(tokenId, expiresAt) {
      if (!note({ tokenId, expiresAt })) return;
      if (!redis) return;
      await redis.set(key(tokenId), '1', 'PX', expiresAt * 1000 - Date.now());
      // Written first, announced second: a router that hears of it finds it in Redis too.
      await redis.publish(TOKEN_REVOKED_CHANNEL, JSON.stringify({ tokenId, expiresAt }));
    },
    async isRevoked(tokenId) {
      if (revokedHere(tokenId)) return true;
      if (!redis) return false;
      try {
        return (await redis.exists(key(tokenId))) === 1;
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
  };
}
