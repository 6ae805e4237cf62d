import { flushPromises, mount } from '@vue/test-utils';
import type { GraphQLFormattedError } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createTestGraphQLClient,
  provideFor,
  type Responder,
  type TestGraphQLClient,
} from '../testing/fakeGraphQLServer';
import { REFUSED_MESSAGE } from '../session/session';
import SignInPage from './SignInPage.vue';

const payload = {
  __typename: 'AuthPayload',
  token: 'fresh-token',
  expiresAt: '2099-01-01T00:00:00.000Z',
  user: { __typename: 'User', id: 'u7', username: 'grace' },
};

const refuse =
  (...errors: GraphQLFormattedError[]): Responder =>
  () => ({ data: null, errors });

let client: TestGraphQLClient | undefined;
afterEach(() => {
  vi.useRealTimers(); // after a test that faked them
  client?.dispose();
});

function mountPage(responders: Record<string, Responder>) {
  client = createTestGraphQLClient(responders, { signedIn: false });
  return mount(SignInPage, { global: { provide: provideFor(client) }, attachTo: document.body });
}

async function fillAndSubmit(
  wrapper: ReturnType<typeof mountPage>,
  username = 'grace',
  password = 'correct horse',
) {
  await wrapper.get('input[name="username"]').setValue(username);
  await wrapper.get('input[name="password"]').setValue(password);
  await wrapper.get('form').trigger('submit');
  await flushPromises();
}

/**
 * The page on fake timers after auth's login limit refused `grace` (RATE_LIMITED at the login
 * field, `seconds` to wait): every sign-in is refused the same way.
 */
async function refusedSignIn(seconds: number) {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  const wrapper = mountPage({
    SignIn: refuse({
      message: `Too many attempts; try again in ${seconds} s`,
      path: ['login'],
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: seconds },
    }),
  });
  await fillAndSubmit(wrapper, 'grace');
  return wrapper;
}

const fieldError = (wrapper: ReturnType<typeof mountPage>, name: string) => {
  const input = wrapper.get(`input[name="${name}"]`);
  const ids = (input.attributes('aria-describedby') ?? '').split(' ');
  return ids
    .map((id) => wrapper.find(`[id="${id}"].field-error`))
    .find((element) => element.exists())
    ?.text();
};

describe('SignInPage', () => {
  it('signs in and starts the session with the returned token', async () => {
    const wrapper = mountPage({ SignIn: () => ({ data: { login: payload } }) });
    await fillAndSubmit(wrapper, '  grace ');

    expect(client?.sent[0]?.variables).toEqual({ username: 'grace', password: 'correct horse' });
    expect(client?.session.token()).toBe('fresh-token');
    expect(client?.session.current.value?.user).toEqual({ id: 'u7', username: 'grace' });
    wrapper.unmount();
  });

  it('registers when "I am new here" is chosen', async () => {
    const wrapper = mountPage({ Register: () => ({ data: { register: payload } }) });
    await wrapper.get('input[value="register"]').setValue(true);
    expect(wrapper.get('button[type="submit"]').text()).toBe('Create account');
    expect(wrapper.get('input[name="password"]').attributes('autocomplete')).toBe('new-password');
    await fillAndSubmit(wrapper);

    expect(client?.sent.map(({ operationName }) => operationName)).toEqual(['Register']);
    expect(client?.session.token()).toBe('fresh-token');
    wrapper.unmount();
  });

  it("shows the server's password rule under the password field", async () => {
    const wrapper = mountPage({
      Register: refuse({
        message: 'password: must be at least 8 characters',
        extensions: { code: 'BAD_USER_INPUT', argument: 'password' },
      }),
    });
    await wrapper.get('input[value="register"]').setValue(true);
    // Within the rules the page checks itself: the server's refusal is what is shown.
    await fillAndSubmit(wrapper, 'grace', 'long enough');

    expect(fieldError(wrapper, 'password')).toBe('Must be at least 8 characters');
    expect(wrapper.get('input[name="password"]').attributes('aria-invalid')).toBe('true');
    expect(fieldError(wrapper, 'username')).toBeUndefined();
    expect(document.activeElement?.getAttribute('name')).toBe('password');
    wrapper.unmount();
  });

  it('clears a field message once that field is edited', async () => {
    const wrapper = mountPage({
      Register: refuse({
        message: 'That username is taken',
        extensions: { code: 'USERNAME_TAKEN' },
      }),
    });
    await wrapper.get('input[value="register"]').setValue(true);
    await fillAndSubmit(wrapper);
    expect(fieldError(wrapper, 'username')).toBe('That username is taken');

    await wrapper.get('input[name="username"]').setValue('grace2');
    expect(fieldError(wrapper, 'username')).toBeUndefined();
    wrapper.unmount();
  });

  it('shows wrong credentials as an alert and stays signed out', async () => {
    const wrapper = mountPage({
      SignIn: refuse({
        message: 'Invalid username or password',
        extensions: { code: 'UNAUTHENTICATED' },
      }),
    });
    await fillAndSubmit(wrapper);

    expect(wrapper.get('[role="alert"]').text()).toBe('Invalid username or password');
    expect(client?.session.token()).toBeNull();
    wrapper.unmount();
  });

  it('says why the last session ended until the next attempt, whose outcome replaces it', async () => {
    client = createTestGraphQLClient(
      {
        SignIn: refuse({
          message: 'Invalid username or password',
          extensions: { code: 'UNAUTHENTICATED' },
        }),
      },
      { signedIn: true },
    );
    await client.session.end(REFUSED_MESSAGE);
    const wrapper = mount(SignInPage, {
      global: { provide: provideFor(client) },
      attachTo: document.body,
    });
    expect(wrapper.get('.notice').text()).toBe(REFUSED_MESSAGE);

    await fillAndSubmit(wrapper);
    expect(wrapper.get('[role="alert"]').text()).toBe('Invalid username or password');
    expect(wrapper.find('.notice').exists()).toBe(false);
    expect(wrapper.text()).not.toContain('no longer accepts your session');
    wrapper.unmount();
  });

  it('counts down instead of allowing another attempt while rate-limited', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const wrapper = mountPage({
      SignIn: refuse({
        message: 'Too many attempts; try again in 3 s',
        extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 3 },
      }),
    });
    await fillAndSubmit(wrapper);
    const button = wrapper.get('button[type="submit"]');
    expect(button.text()).toBe('Try again in 3 s');
    expect(button.attributes('disabled')).toBeDefined();
    // The wait is said once, by the button that counts it down: not again in the message.
    expect(wrapper.get('[role="alert"]').text()).toBe('Too many attempts.');

    await vi.advanceTimersByTimeAsync(3_000);
    expect(button.text()).toBe('Sign in');
    expect(button.attributes('disabled')).toBeUndefined();
    wrapper.unmount();
  });

  it("keeps an account's wait to its username: another username may sign in at once", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const wrapper = mountPage({
      // As the router answers auth's login limit: HTTP 200, the error at the login field.
      SignIn: ({ variables }) =>
        variables['username'] === 'grace'
          ? {
              data: null,
              errors: [
                {
                  message: 'Too many attempts; try again in 900 s',
                  path: ['login'],
                  extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 900 },
                },
              ],
            }
          : { data: { login: payload } },
    });
    await fillAndSubmit(wrapper, 'grace');
    const button = wrapper.get('button[type="submit"]');
    expect(button.text()).toBe('Try again in 15 min');
    expect(button.attributes('disabled')).toBeDefined();

    await wrapper.get('input[name="username"]').setValue('ada');
    expect(button.text()).toBe('Sign in');
    expect(button.attributes('disabled')).toBeUndefined();
    // Back to the refused account (as auth keys it: case and spaces aside): its wait again.
    await vi.advanceTimersByTimeAsync(60_000);
    await wrapper.get('input[name="username"]').setValue(' Grace ');
    expect(button.text()).toBe('Try again in 14 min');
    expect(button.attributes('disabled')).toBeDefined();

    await fillAndSubmit(wrapper, 'ada');
    expect(client?.sent.map(({ variables }) => variables['username'])).toEqual(['grace', 'ada']);
    expect(client?.session.token()).toBe('fresh-token');
    wrapper.unmount();
  });

  it("shows an account's refusal only while its username is in the box, as its wait", async () => {
    const wrapper = await refusedSignIn(900);
    const button = wrapper.get('button[type="submit"]');
    const alert = () => wrapper.find('[role="alert"]');
    expect(alert().text()).toBe('Too many attempts.');
    expect(button.text()).toBe('Try again in 15 min');

    // Another username is not the one waiting: neither the refusal nor its wait applies.
    await wrapper.get('input[name="username"]').setValue('ada');
    expect(alert().exists()).toBe(false);
    expect(button.text()).toBe('Sign in');
    expect(button.attributes('disabled')).toBeUndefined();

    // Back to the refused account (as auth keys it): the refusal and its wait again.
    await wrapper.get('input[name="username"]').setValue(' Grace ');
    expect(alert().text()).toBe('Too many attempts.');
    expect(button.text()).toBe('Try again in 15 min');
    expect(button.attributes('disabled')).toBeDefined();

    // Likewise for the mode: registering is not what was refused.
    await wrapper.get('input[value="register"]').setValue(true);
    expect(alert().exists()).toBe(false);
    expect(button.text()).toBe('Create account');
    await wrapper.get('input[value="signIn"]').setValue(true);
    expect(alert().text()).toBe('Too many attempts.');
    expect(button.text()).toBe('Try again in 15 min');
    wrapper.unmount();
  });

  it("takes an account's refusal away when its wait ends, and does not show it again", async () => {
    const wrapper = await refusedSignIn(3);
    const button = wrapper.get('button[type="submit"]');
    const alert = () => wrapper.find('[role="alert"]');
    expect(alert().text()).toBe('Too many attempts.');

    // Its wait ends while its username is in the box: the refusal goes with the countdown.
    await vi.advanceTimersByTimeAsync(3_000);
    expect(button.text()).toBe('Sign in');
    expect(alert().exists()).toBe(false);

    // Nor does it come back with the username once the wait is over.
    await wrapper.get('input[name="username"]').setValue('ada');
    await wrapper.get('input[name="username"]').setValue('grace');
    expect(alert().exists()).toBe(false);
    expect(button.text()).toBe('Sign in');
    expect(button.attributes('disabled')).toBeUndefined();
    wrapper.unmount();
  });

  it("does not show an account's refusal on coming back to it after its wait has ended elsewhere", async () => {
    const wrapper = await refusedSignIn(3);
    const alert = () => wrapper.find('[role="alert"]');
    expect(alert().text()).toBe('Too many attempts.');
    await wrapper.get('input[name="username"]').setValue('ada');
    expect(alert().exists()).toBe(false);

    // The wait ends while another username is in the box.
    await vi.advanceTimersByTimeAsync(3_000);
    await wrapper.get('input[name="username"]').setValue(' Grace ');
    expect(alert().exists()).toBe(false);
    const button = wrapper.get('button[type="submit"]');
    expect(button.text()).toBe('Sign in');
    expect(button.attributes('disabled')).toBeUndefined();
    wrapper.unmount();
  });

  it("holds every username and both modes after the router's request limit (HTTP 429, no path)", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const wrapper = mountPage({
      SignIn: () => ({
        status: 429,
        errors: [
          {
            message: 'Too many requests; try again in 60 s',
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 60 },
          },
        ],
      }),
    });
    await fillAndSubmit(wrapper, 'grace');
    const button = wrapper.get('button[type="submit"]');
    expect(button.text()).toBe('Try again in 60 s');

    await wrapper.get('input[name="username"]').setValue('ada');
    expect(button.text()).toBe('Try again in 60 s');
    expect(button.attributes('disabled')).toBeDefined();
    // Its refusal holds them all as well, so it stays on screen with the wait.
    expect(wrapper.get('[role="alert"]').text()).toBe('Too many requests.');
    await wrapper.get('input[value="register"]').setValue(true);
    expect(button.text()).toBe('Try again in 60 s');
    expect(button.attributes('disabled')).toBeDefined();
    expect(wrapper.get('[role="alert"]').text()).toBe('Too many requests.');
    wrapper.unmount();
  });

  it('keeps the countdown to the refused mode: a refused registration does not stop a sign-in', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const wrapper = mountPage({
      Register: refuse({
        message: 'Too many registrations from this address; try again in 3000 s',
        path: ['register'],
        extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 3000 },
      }),
    });
    await wrapper.get('input[value="register"]').setValue(true);
    await fillAndSubmit(wrapper);
    const button = wrapper.get('button[type="submit"]');
    expect(button.text()).toBe('Try again in 50 min');
    // The registration limit is the address's: another name waits as well.
    await wrapper.get('input[name="username"]').setValue('ada');
    expect(button.text()).toBe('Try again in 50 min');

    await wrapper.get('input[value="signIn"]').setValue(true);
    expect(button.text()).toBe('Sign in');
    expect(button.attributes('disabled')).toBeUndefined();
    wrapper.unmount();
  });

  it("checks a new account's username and password at once, as auth would, without sending", async () => {
    const wrapper = mountPage({});
    await wrapper.get('input[value="register"]').setValue(true);
    await fillAndSubmit(wrapper, 'ab', 'short');

    expect(fieldError(wrapper, 'username')).toBe('Must be 3 to 32 characters long');
    expect(fieldError(wrapper, 'password')).toBe('Must be at least 8 characters long');
    expect(document.activeElement?.getAttribute('name')).toBe('username');
    // Four emoji are 4 characters in NFC (8 UTF-16 units): too short, as auth counts them.
    await fillAndSubmit(wrapper, 'grace', '😀😀😀😀');
    expect(fieldError(wrapper, 'username')).toBeUndefined();
    expect(fieldError(wrapper, 'password')).toBe('Must be at least 8 characters long');
    expect(client?.sent).toEqual([]);
    wrapper.unmount();
  });

  it("refuses a new account's password of only spaces without sending, not a sign-in's", async () => {
    const wrapper = mountPage({});
    await wrapper.get('input[value="register"]').setValue(true);
    await fillAndSubmit(wrapper, 'grace', ' '.repeat(8));
    expect(fieldError(wrapper, 'password')).toBe('Must contain something other than spaces');
    await fillAndSubmit(wrapper, 'grace', '\t \u00a0\u3000    ');
    expect(fieldError(wrapper, 'password')).toBe('Must contain something other than spaces');
    expect(client?.sent).toEqual([]);
    // An account made before the rule may have one: signing in with it is for auth to judge.
    await wrapper.get('input[value="signIn"]').setValue(true);
    await fillAndSubmit(wrapper, 'grace', ' '.repeat(8));
    expect(client?.sent.map(({ operationName }) => operationName)).toEqual(['SignIn']);
    wrapper.unmount();
  });

  it('refuses to sign in with a password past the byte limit, in the register form’s words, without sending', async () => {
    const wrapper = mountPage({});
    await fillAndSubmit(wrapper, 'grace', 'x'.repeat(100_000));

    expect(fieldError(wrapper, 'password')).toBe(
      'Must be at most 72 bytes in UTF-8 (letters outside ASCII take 2 to 4 bytes each)',
    );
    expect(document.activeElement?.getAttribute('name')).toBe('password');
    expect(client?.sent).toEqual([]);
    // A short one is for the server to judge: only a new account must be 8 characters long.
    await fillAndSubmit(wrapper, 'grace', 'short');
    expect(client?.sent.map(({ operationName }) => operationName)).toEqual(['SignIn']);
    // 72 bytes as typed, 144 normalised (U+0958's NFC form is two letters): an account made
    // before passwords were normalised may have it, and auth also tries it as typed.
    await fillAndSubmit(wrapper, 'grace', '\u0958'.repeat(24));
    expect(client?.sent.map(({ operationName }) => operationName)).toEqual(['SignIn', 'SignIn']);
    wrapper.unmount();
  });

  it('asks for empty fields without sending anything', async () => {
    const wrapper = mountPage({});
    await wrapper.get('form').trigger('submit');
    await flushPromises();

    expect(fieldError(wrapper, 'username')).toBe('Enter your username.');
    expect(fieldError(wrapper, 'password')).toBe('Enter your password.');
    expect(client?.sent).toEqual([]);
    wrapper.unmount();
  });
});
