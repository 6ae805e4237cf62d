/**
 * Open connections (graphql-ws sockets, graphql-sse streams) by the id of the token that
 * authorised them, so that a logout ends them at once, as expiry does (tokenExpiry.ts), instead
 * of at their next operation.
 */
export type OnTokenRevoked = (listener: (tokenId: string) => void) => () => void;

export interface TokenConnections {
  /**
   * Calls `end` if the token is revoked while the connection is open; returns the removal, for
   * when the connection ends first. A token without an id cannot be revoked: nothing is kept.
   */
  add(tokenId: string | undefined, end: () => void): () => void;
  /** Stops listening for revocations. */
  close(): void;
}

export function createTokenConnections(onTokenRevoked: OnTokenRevoked): TokenConnections {
  const open = new Map<string, Set<() => void>>();
  const stopListening = onTokenRevoked((tokenId) => {
    for (const end of open.get(tokenId) ?? []) end();
  });
  return {
    add(tokenId, end) {
      if (!tokenId) return () => {};
      let ends = open.get(tokenId);
      if (!ends) open.set(tokenId, (ends = new Set()));
      ends.add(end);
      return () => {
        ends.delete(end);
        if (ends.size === 0 && open.get(tokenId) === ends) open.delete(tokenId);
      };
    },
    close: stopListening,
  };
}
