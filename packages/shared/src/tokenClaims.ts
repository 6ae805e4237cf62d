/** What auth signs and the router checks: kept in one place so the two cannot drift apart. */
export const TOKEN_ISSUER = 'microservice-math/auth';
export const TOKEN_AUDIENCE = 'microservice-math';
/** The only algorithm auth signs with and the router accepts (no `none`, no HMAC confusion). */
export const TOKEN_ALGORITHM = 'EdDSA';
/** When the session began (sign-in), as OpenID Connect names it; renewed tokens keep it. */
export const SESSION_STARTED_CLAIM = 'auth_time';
/**
 * The session's own id (random, as OpenID Connect's `sid`), set at sign-in and kept by renewals:
 * what a logout revokes, so that every token of the session ends with it.
 */
export const SESSION_ID_CLAIM = 'sid';
export const JWKS_PATH = '/.well-known/jwks.json';
