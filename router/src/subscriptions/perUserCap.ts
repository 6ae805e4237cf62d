/**
 * How many long-lived connections (graphql-ws sockets, graphql-sse streams) each user holds,
 * against a cap: one user cannot hold the router's memory and file descriptors by opening them
 * without end.
 */
export interface PerUserCap {
  /** Counts one more for `userId`; false, counting nothing, when it already holds the cap. */
  take(userId: string): boolean;
  /** One of `userId`'s connections ended. */
  release(userId: string): void;
  /** Whether `userId` holds the cap already (take would refuse). */
  full(userId: string): boolean;
}

export function perUserCap(max: number): PerUserCap {
  const held = new Map<string, number>();
  return {
    take(userId) {
      const count = held.get(userId) ?? 0;
      if (count >= max) return false;
      held.set(userId, count + 1);
      return true;
    },
    full(userId) {
      return (held.get(userId) ?? 0) >= max;
    },
    release(userId) {
      const left = (held.get(userId) ?? 1) - 1;
      if (left > 0) held.set(userId, left);
      else held.delete(userId);
    },
  };
}
