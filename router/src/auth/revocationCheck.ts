/**
 * Whether a token was revoked (by its own id or its session's: all of a token's revocation ids
 * are asked about together), without a Redis round trip on every request: each token's
 * answer is remembered for a moment (`ttlMs`, bounded LRU), and concurrent requests of one token
 * share one lookup. A logout still takes effect at once: every router hears it announced
 * (tokenRevocations.ts) and checks announced revocations before any remembered answer. Only
 * an announcement lost while this router's Redis subscription was away leaves a remembered
 * "not revoked" in place, for at most `ttlMs`; the answers are forgotten when it is back.
 */
import type { TokenRevocations } from '@microservice-math/shared/tokenRevocations';
import { LRUCache } from 'lru-cache';

export interface RevocationCheck {
  /** Whether any of a token's revocation ids (`revocationIds`) is revoked. */
  isRevoked(ids: readonly string[]): Promise<boolean>;
  /** Forgets every remembered answer (announcements may have been missed). */
  forget(): void;
}

export function cachedRevocationCheck(
  revocations: TokenRevocations,
  { ttlMs, max }: { ttlMs: number; max: number },
): RevocationCheck {
  const answers = new LRUCache<string, Promise<boolean>>({ max, ttl: ttlMs });
  return {
    async isRevoked(ids) {
      const announced = () => ids.some((id) => revocations.revokedHere(id));
      if (announced()) return true;
      const asked = ids.join(' ');
      let answer = answers.get(asked);
      if (!answer) {
        answer = revocations.isRevoked(...ids);
        answers.set(asked, answer);
      }
      // Announced while Redis was being asked: the announcement wins.
      return (await answer) || announced();
    },
    forget: () => answers.clear(),
  };
}
