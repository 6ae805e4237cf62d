/**
 * A bad variable stops start-up with a message that names it and shows the value it got, unless
 * that value is a secret: a secret's name ends in SECRET, TOKEN, PASSWORD or KEY, and a URL's
 * password is hidden; every other value (TOKEN_TTL_SECONDS is a number of seconds) is shown.
 */
import { describe, expect, it } from 'vitest';
import { loadAuthConfig } from './config.js';

function refusal(env: Record<string, string>): string {
  try {
    loadAuthConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('a refused configuration', () => {
  it('shows the values of variables that are not secrets, TOKEN in their name or not', () => {
    const message = refusal({ TOKEN_TTL_SECONDS: '8', AUTH_MAX_SESSION_SECONDS: '20' });
    expect(message).toMatch(/TOKEN_TTL_SECONDS: .* \(got "8"\)/);
    expect(message).toMatch(/AUTH_MAX_SESSION_SECONDS: .* \(got "20"\)/);
  });

  it('hides a secret, and the password in a URL', () => {
    const message = refusal({
      ROUTER_SECRET: 'short-secret',
      METRICS_TOKEN: '',
      DATABASE_URL: 'mysql://app:hunter2-password@db:3306/x',
    });
    expect(message).toMatch(/ROUTER_SECRET: .* \(got "<redacted>"\)/);
    expect(message).toMatch(/DATABASE_URL: .* \(got "mysql:\/\/<redacted>@db:3306\/x"\)/);
    expect(message).not.toContain('short-secret');
    expect(message).not.toContain('hunter2');
  });

  // Such URLs are refused precisely because the password has a character a URL reserves.
  it.each([
    'redis://:hun#ter2@redis:6379',
    'redis://default:hun/ter2@redis:6379',
    'redis://default:hun?ter2@redis:6379',
  ])('hides the password of a URL refused for it: %s', (url) => {
    const message = refusal({ REDIS_URL: url });
    expect(message).toMatch(/REDIS_URL: .* \(got "redis:\/\/<redacted>@redis:6379"\)/);
    expect(message).not.toMatch(/hun|ter2/);
  });
});
