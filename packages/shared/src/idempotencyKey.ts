/**
 * The `Idempotency-Key` request header, as the web client sends it and the router checks it.
 * This module imports nothing, so the client bundles it as it is.
 *
 * A client makes one key per calculation it means to make (a random UUID) and sends the same key
 * with every attempt of it: when an attempt's connection fails after math answered (its router
 * died), the next attempt, through any router, answers with the same `log { id }` and nothing is
 * logged or announced twice. The router scopes the key to the caller before math sees it
 * (router/src/http/idempotencyKey.ts).
 */

/** The header's name (HTTP header names are case-insensitive; Node reads them lower-case). */
export const IDEMPOTENCY_KEY_HEADER_NAME = 'Idempotency-Key';

export const IDEMPOTENCY_KEY_MIN_LENGTH = 8;
export const IDEMPOTENCY_KEY_MAX_LENGTH = 128;

/** What a key may be: a UUID fits; so does the quoted form of the IETF draft ("…"). */
const KEY = new RegExp(
  `^(?:"([A-Za-z0-9_.:-]{${IDEMPOTENCY_KEY_MIN_LENGTH},${IDEMPOTENCY_KEY_MAX_LENGTH}})"` +
    `|([A-Za-z0-9_.:-]{${IDEMPOTENCY_KEY_MIN_LENGTH},${IDEMPOTENCY_KEY_MAX_LENGTH}}))$`,
);

/** The rule, as the error for a malformed key states it. */
export const IDEMPOTENCY_KEY_RULE =
  `one value of ${IDEMPOTENCY_KEY_MIN_LENGTH} to ${IDEMPOTENCY_KEY_MAX_LENGTH} characters ` +
  'from A-Z a-z 0-9 - _ . : (a UUID, for example), optionally in double quotes';

/** The key a header value carries (quotes removed), or undefined if it is not a valid key. */
export function parseIdempotencyKey(value: string): string | undefined {
  const match = KEY.exec(value);
  return match ? (match[1] ?? match[2]) : undefined;
}
