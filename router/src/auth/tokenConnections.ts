/**
 * Open connections (graphql-ws sockets, graphql-sse streams) by the revocation ids of the token
 * that authorised them (its own id and its session's), so that a logout ends them at once, as
 * expiry does (tokenExpiry.ts), instead of at their next operation.
 */
export type OnTokenRevoked = (listener: (id: string) => void) => () => void;

export interface TokenConnections {
  /**
   * Calls `end` once if any of `ids` (the token's `revocationIds`) is revoked while the
   * connection is open; returns the removal, for when the connection ends first. A token
   * without ids cannot be revoked: nothing is kept.
   */
  add(ids: readonly string[], end: () => void): () => void;
  /** Stops listening for revocations. */
  close(): void;
}

export function createTokenConnections(onTokenRevoked: OnTokenRevoked): TokenConnections {
  const open = new Map<string, Set<() => void>>();
  const stopListening = onTokenRevoked((id) => {
    for (const end of open.get(id) ?? []) end();
  });
  return {
    add(ids, end) {
      const remove = () => {
        for (const id of ids) {
          const ends = open.get(id);
          ends?.delete(once);
          if (ends?.size === 0) open.delete(id);
        }
      };
      // A logout revokes both the token and its session: the connection ends once.
      const once = () => {
        remove();
        end();
      };
      for (const id of ids) {
        let ends = open.get(id);
        if (!ends) open.set(id, (ends = new Set()));
        ends.add(once);
      }
      return remove;
    },
    close: stopListening,
  };
}
