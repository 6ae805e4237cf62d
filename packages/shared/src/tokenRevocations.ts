/**
 * Tokens revoked before their expiry (logout), by token id (`jti`), each kept until the token
 * would have expired anyway. Auth writes them; every router reads them before it accepts a
 * token. With Redis they are shared by every process; without it, by the services of this one
 * process (the one-process start), through one map per process. While Redis is unreachable the
 * process's own revocations still hold, and a token revoked elsewhere is accepted until Redis
 * returns: the alternative would refuse every request during an outage.
 */
import type { Redis } from 'ioredis';

export interface TokenRevocations {
  /** `expiresAt`: the token's `exp`, in seconds since the epoch. */
  revoke(tokenId: string, expiresAt: number): Promise<void>;
  isRevoked(tokenId: string): Promise<boolean>;
}

/** Token id → when its revocation may be forgotten (ms since the epoch). */
const inProcess = new Map<string, number>();

const key = (tokenId: string) => `revoked-token:${tokenId}`;

function revokedHere(tokenId: string): boolean {
  const until = inProcess.get(tokenId);
  if (until === undefined) return false;
  if (until > Date.now()) return true;
  inProcess.delete(tokenId);
  return false;
}

export function createTokenRevocations(redis: Redis | undefined): TokenRevocations {
  return {
    async revoke(tokenId, expiresAt) {
      const until = expiresAt * 1000;
      const remainingMs = until - Date.now();
      if (remainingMs <= 0) return;
      inProcess.set(tokenId, until);
      for (const [id, forgetAt] of inProcess) if (forgetAt <= Date.now()) inProcess.delete(id);
      await redis?.set(key(tokenId), '1', 'PX', remainingMs);
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
  };
}
