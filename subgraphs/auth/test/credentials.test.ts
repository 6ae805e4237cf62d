import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN, REGISTER, startAuth, type RunningAuth } from './authService.js';

let auth: RunningAuth;
beforeAll(async () => {
  auth = await startAuth();
});
afterAll(async () => {
  await auth.stop();
});

describe('registration rules', () => {
  const cases: Array<[string, string, string, string]> = [
    ['username too short', 'ab', 'long-enough-pw', 'username'],
    ['username too long', 'a'.repeat(33), 'long-enough-pw', 'username'],
    ['username with a space inside', 'ada lovelace', 'long-enough-pw', 'username'],
    ['username with a symbol', 'ada@home', 'long-enough-pw', 'username'],
    ['username with non-ASCII letters', 'Zoë_K', 'long-enough-pw', 'username'],
    ['username only whitespace', '     ', 'long-enough-pw', 'username'],
    ['password too short', 'valid_name', 'short', 'password'],
    ['password of 7 emoji (7 characters)', 'valid_name', '😀'.repeat(7), 'password'],
    ['password of 73 bytes (emoji)', 'valid_name', '😀'.repeat(18) + 'x', 'password'],
    ['password of 73 ASCII bytes', 'valid_name', 'p'.repeat(73), 'password'],
    ['password of only spaces', 'valid_name', ' '.repeat(8), 'password'],
    ['password of only whitespace', 'valid_name', '\t\n\r \u00a0\u2003\u3000\ufeff', 'password'],
    [
      'password of only zero-width characters',
      'valid_name',
      '\u200b\u200c\u200d\u2060'.repeat(2),
      'password',
    ],
  ];

  it.each(cases)('%s is BAD_USER_INPUT naming the field', async (_name, u, p, field) => {
    const result = await auth.call(REGISTER, { u, p });
    expect(result.body.data).toBeNull();
    expect(result.body.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argument: field,
    });
    expect(result.body.errors?.[0]?.message).toMatch(new RegExp(`^${field}: `));
  });

  it('says which letters a username may have, when it has others', async () => {
    const result = await auth.call(REGISTER, { u: 'Zoë_K', p: 'long-enough-pw' });
    expect(result.body.errors?.[0]?.message).toBe(
      'username: may contain only ASCII letters (a-z, A-Z), digits, "_", "." and "-"',
    );
  });

  it('says a password of only spaces must have something else', async () => {
    const result = await auth.call(REGISTER, { u: 'pw8', p: '        ' });
    expect(result.body.errors?.[0]?.message).toBe(
      'password: must contain something other than spaces',
    );
  });

  // Each is invisible or whitespace. The first nine are neither `\s` nor Cf: they registered
  // until the rule went by Unicode's properties (White_Space, Default_Ignorable_Code_Point, and
  // U+2800); the last five were refused before, and still are.
  const invisible = [
    ['U+3164 Hangul filler', '\u3164'],
    ['U+FFA0 halfwidth Hangul filler', '\uffa0'],
    ['U+115F Hangul choseong filler', '\u115f'],
    ['U+1160 Hangul jungseong filler', '\u1160'],
    ['U+034F combining grapheme joiner', '\u034f'],
    ['U+FE0F variation selector-16', '\ufe0f'],
    ['U+17B4 Khmer vowel inherent aq', '\u17b4'],
    ['U+2800 braille pattern blank', '\u2800'],
    ['U+0085 next line', '\u0085'],
    ['U+200B zero-width space', '\u200b'],
    ['U+00AD soft hyphen', '\u00ad'],
    ['U+FEFF zero-width no-break space', '\ufeff'],
    ['U+2060 word joiner', '\u2060'],
    ['U+2028 line separator', '\u2028'],
    // Control characters (Cc) show nothing either; one is not White_Space.
    ['U+0001 start of heading', '\u0001'],
    ['U+007F delete', '\u007f'],
  ];

  it.each(invisible)('refuses a password of 8 × %s', async (_name, character) => {
    const result = await auth.call(REGISTER, { u: 'invisible_pw', p: character.repeat(8) });
    expect(result.body.data).toBeNull();
    expect(result.body.errors?.[0]).toMatchObject({
      message: 'password: must contain something other than spaces',
      extensions: { code: 'BAD_USER_INPUT', argument: 'password' },
    });
  });

  it('accepts a password of all of them with one visible character among them', async () => {
    const p = invisible.map(([, character]) => character).join('') + 'x';
    expect((await auth.call(REGISTER, { u: 'one_visible', p })).body.errors).toBeUndefined();
    expect((await auth.call(LOGIN, { u: 'one_visible', p })).body.errors).toBeUndefined();
  });

  it('keeps the spaces around a password that has more', async () => {
    const p = '   pass word   ';
    expect((await auth.call(REGISTER, { u: 'spaced_pw', p })).body.errors).toBeUndefined();
    expect((await auth.call(LOGIN, { u: 'spaced_pw', p })).body.errors).toBeUndefined();
    const trimmed = await auth.call(LOGIN, { u: 'spaced_pw', p: p.trim() });
    expect(trimmed.body.errors?.[0]?.message).toBe('Invalid username or password');
  });

  it('accepts a 72-byte password and trims the username', async () => {
    const result = await auth.call(REGISTER, { u: ' edge.case-72 ', p: '😀'.repeat(18) });
    expect(result.body.errors).toBeUndefined();
    expect(result.body.data?.register.user.username).toBe('edge.case-72');
  });
});

describe('login refusals', () => {
  it('answers an unknown user and a wrong password with byte-identical bodies', async () => {
    await auth.call(REGISTER, { u: 'known_user', p: 'the-right-one' });
    const wrongPassword = await auth.call(
      LOGIN,
      { u: 'known_user', p: 'the-wrong-one' },
      { client: '198.51.100.1' },
    );
    const unknownUser = await auth.call(
      LOGIN,
      { u: 'nobody_here', p: 'the-wrong-one' },
      { client: '198.51.100.1' },
    );
    expect(wrongPassword.body.errors?.[0]).toMatchObject({
      message: 'Invalid username or password',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(unknownUser.text).toBe(wrongPassword.text);
    expect(unknownUser.status).toBe(wrongPassword.status);
  });

  it('refuses a request that does not carry the router secret', async () => {
    const response = await fetch(auth.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': 'forged' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(response.status).toBe(403);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('FORBIDDEN');
  });
});
