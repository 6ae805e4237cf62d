/**
 * Connections that outlive a request (graphql-ws sockets, graphql-sse streams) are authorised
 * once, when they open; these end them when the token that authorised them expires, so a socket
 * never keeps a caller signed in longer than HTTP would.
 */
import { decodeJwt } from 'jose';

/** graphql-ws close code for a socket whose token expired (as for a refused token). */
export const TOKEN_EXPIRED_CLOSE_CODE = 4403;
export const TOKEN_EXPIRED_MESSAGE = 'Token expired; sign in again';
/** Why a connection ends when its token is revoked (logout), with the same close code. */
export { TOKEN_REVOKED_MESSAGE } from '@microservice-math/shared/tokenRevocations';

/** setTimeout holds at most 2^31 - 1 ms (about 24.8 days); longer waits are re-armed. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `expire` when `token` (already verified) expires; returns the cancel, for when the
 * connection ends first.
 */
export function atTokenExpiry(token: string, expire: () => void): () => void {
  const expiresAt = (decodeJwt(token).exp ?? 0) * 1000;
  let timer: NodeJS.Timeout;
  const arm = () => {
    const remaining = expiresAt - Date.now();
    timer =
      remaining > LONGEST_TIMER_MS
        ? setTimeout(arm, LONGEST_TIMER_MS)
        : setTimeout(expire, remaining);
    // An open socket keeps the process alive by itself; its expiry timer need not.
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
