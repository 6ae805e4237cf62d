import { badUserInput } from '@microservice-math/shared/errors';

const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
export const PASSWORD_MIN_CHARACTERS = 8;
/**
 * bcrypt reads only the first 72 bytes; longer passwords (in NFC, the form hashed) are refused
 * rather than silently cut.
 */
export const PASSWORD_MAX_BYTES = 72;

/** The username as it will be stored (trimmed), or BAD_USER_INPUT naming the rule. */
export function checkUsername(raw: string): string {
  const username = raw.trim();
  if (username.length < 3 || username.length > 32) {
    throw badUserInput('username', 'must be 3 to 32 characters long');
  }
  if (!USERNAME_PATTERN.test(username)) {
    throw badUserInput(
      'username',
      'may contain only ASCII letters (a-z, A-Z), digits, "_", "." and "-"',
    );
  }
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
  if ([...password].length < PASSWORD_MIN_CHARACTERS) {
    throw badUserInput('password', `must be at least ${PASSWORD_MIN_CHARACTERS} characters long`);
  }
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    throw badUserInput(
      'password',
      `must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8 (letters outside ASCII take 2 to 4 bytes each)`,
    );
  }
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
