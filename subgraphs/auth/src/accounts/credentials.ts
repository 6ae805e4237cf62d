import { badUserInput } from '@microservice-math/shared/errors';
import {
  passwordProblem,
  USERNAME_PATTERN,
  usernameProblem,
} from '@microservice-math/shared/credentialRules';

export {
  PASSWORD_MAX_BYTES,
  PASSWORD_MIN_CHARACTERS,
} from '@microservice-math/shared/credentialRules';

/** The username as it will be stored (trimmed), or BAD_USER_INPUT naming the rule. */
export function checkUsername(raw: string): string {
  const username = raw.trim();
  const problem = usernameProblem(username);
  if (problem) throw badUserInput('username', problem);
  return username;
}

/**
 * The form a password is hashed and checked in: Unicode NFC (NIST SP 800-63B, 5.1.1.2), so that
 * one text is one password however it was typed (é as one code point, or e and U+0301).
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFC');
}

/** The password as it will be hashed (NFC), or BAD_USER_INPUT naming the rule it breaks there. */
export function checkPassword(raw: string): string {
  const password = normalizePassword(raw);
  const problem = passwordProblem(password);
  if (problem) throw badUserInput('password', problem);
  return password;
}

/**
 * Whether some account could have this username. Login looks up only such names: the others
 * cannot match, and some (a NUL character) would make the database refuse the query itself.
 */
export function isPossibleUsername(raw: string): boolean {
  return USERNAME_PATTERN.test(raw.trim());
}

/** The case-insensitive identity of a username: what uniqueness and login counters use. */
export function usernameKey(username: string): string {
  return username.trim().toLowerCase();
}
