/**
 * The rules a new account's username and password meet, as the rule each breaks (or undefined):
 * auth refuses a registration with them, and the web app checks both fields before it sends one,
 * so that a form with two bad fields says so for both at once (auth answers the first it finds).
 * This module imports nothing, so the client bundles it as it is.
 */

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
export const PASSWORD_MIN_CHARACTERS = 8;
/**
 * bcrypt reads only the first 72 bytes; longer passwords (in NFC, the form hashed) are refused
 * rather than silently cut.
 */
export const PASSWORD_MAX_BYTES = 72;

/** What is wrong with a username, trimmed as it will be stored; undefined when it may be used. */
export function usernameProblem(username: string): string | undefined {
  if (username.length < 3 || username.length > 32) return 'must be 3 to 32 characters long';
  if (!USERNAME_PATTERN.test(username))
    return 'may contain only ASCII letters (a-z, A-Z), digits, "_", "." and "-"';
  return undefined;
}

/**
 * Nothing but what shows as no mark, by Unicode's properties rather than a list, so the whole
 * class is covered: whitespace (`\s` and White_Space, which adds U+0085), control characters
 * (Cc), format characters (Cf: U+200B zero-width space, U+2060, U+FEFF…), the default-ignorable
 * code points that fonts draw as nothing (Hangul fillers U+3164, U+FFA0, U+115F, U+1160;
 * U+034F; variation selectors; U+17B4…), and the blank braille pattern U+2800, which is none of
 * these but shows no dot.
 */
const INVISIBLE_ONLY = /^[\s\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

/** What is wrong with a password, in NFC as it will be hashed; undefined when it may be used. */
export function passwordProblem(password: string): string | undefined {
  if ([...password].length < PASSWORD_MIN_CHARACTERS)
    return `must be at least ${PASSWORD_MIN_CHARACTERS} characters long`;
  // Not trimmed (spaces are as good as any character inside one), but eight spaces alone are
  // what a form fills in by accident, and the first password anyone would guess; so are eight
  // invisible characters (zero-width spaces and joiners, fillers), which no one can see to type.
  if (INVISIBLE_ONLY.test(password)) return 'must contain something other than spaces';
  return passwordLengthProblem(password);
}

/**
 * The byte limit alone, in NFC: no password longer can be any account's, so a sign-in with one
 * is refused before it is sent as a registration is.
 */
export function passwordLengthProblem(password: string): string | undefined {
  if (new TextEncoder().encode(password).length > PASSWORD_MAX_BYTES)
    return `must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8 (letters outside ASCII take 2 to 4 bytes each)`;
  return undefined;
}
