/**
 * Refused bearer tokens and rate-limited requests leave a trail at warn, throttled: the first of
 * a kind is logged at once, the next ones within the window (5 s; 2 s for these routers) only
 * counted, and the next line says how many came since the last. The client is named as the
 * router counts it (here the address a trusted proxy forwards); the token never appears in the
 * log.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAsAuth } from '../../tests/support/authTokens.js';
import {
  bearer,
  closeCode,
  collect,
  connected,
  eventStream,
  gql,
  signUp,
  wsClient,
} from '../../tests/support/graphql.js';
import { metricValue, scrapeMetrics } from '../../tests/support/metrics.js';
import { capturedLog, type CapturedLog } from './support/capturedLog.js';
import { serviceSet, type ServiceSet } from './support/services.js';

/** pino's number for warn. */
const WARN = 40;
/** The security log's window, shortened from its 5 s for these routers. */
const WINDOW_MS = 2_000;
const PROXY_SECRET = 'a-proxy-secret-of-some-length';
const CLIENT = '203.0.113.7';
/** As the web app's server sends a browser's requests. */
const viaProxy = { 'x-client-proxy-secret': PROXY_SECRET, 'x-forwarded-for': CLIENT };

let services: ServiceSet;
let urls: { auth: string; math: string };

beforeAll(async () => {
  services = serviceSet({ CLIENT_PROXY_SECRET: PROXY_SECRET });
  const auth = await services.startAuth();
  const math = await services.startMath();
  urls = { auth: auth.url, math: math.url };
});
afterAll(async () => {
  await services?.close();
});

const warnings = (log: CapturedLog, msg: string) =>
  log.lines.filter((line) => line['level'] === WARN && line['msg'] === msg);
/** Warn lines and worse (the router also warns at start that the playground is not built). */
const warnAndWorse = (log: CapturedLog) => log.lines.filter((l) => Number(l['level']) >= WARN);

describe('security events in the log', () => {
  it('refused bearer tokens: one warn line per window, with the count, the reason and the client, never the token', async () => {
    const log = capturedLog();
    const router = await services.startRouter(urls, {
      logger: log.logger,
      securityLogEveryMs: WINDOW_MS,
    });
    const atStart = warnAndWorse(log).length;
    const { token: valid } = await signUp(router.url, 'seclog_tokens');
    const me = '{ me { id } }';
    // Valid requests log nothing at warn.
    expect((await gql(router.url, me, {}, { ...viaProxy, ...bearer(valid) })).status).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    const expired = await signAsAuth(services.dataDir, valid, {
      sub: 'someone',
      username: 'someone',
      iat: now - 7200,
      exp: now - 60,
    });
    const garbage = 'Zm9yZ2Vk.Z2FyYmFnZQ.c2lnbmF0dXJl';
    const tokens = [garbage, expired, valid];
    expect(warnAndWorse(log).slice(atStart)).toEqual([]);

    const first = Date.now();
    const refused = await gql(router.url, me, {}, { ...viaProxy, ...bearer(garbage) });
    expect(refused.status).toBe(401);
    const malformed = await gql(router.url, me, {}, { ...viaProxy, authorization: 'Basic x' });
    expect(malformed.status).toBe(401);
    const line = await log.waitFor((l) => l['msg'] === 'refused bearer tokens');
    expect(line).toMatchObject({
      level: WARN,
      refused: 1,
      reason: 'invalid',
      transport: 'http',
      clientAddress: CLIENT,
    });
    // Still within the window: the malformed header was counted, not logged.
    expect(Date.now() - first).toBeLessThan(WINDOW_MS);
    expect(warnings(log, 'refused bearer tokens')).toHaveLength(1);

    // The next line, once the window has passed, counts what came since the last.
    await sleep(WINDOW_MS - (Date.now() - first) + 100);
    const late = await gql(router.url, me, {}, { ...viaProxy, ...bearer(expired) });
    expect(late.status).toBe(401);
    const lines = warnings(log, 'refused bearer tokens');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      refused: 2,
      reason: 'expired',
      clientAddress: CLIENT,
    });

    const text = JSON.stringify(log.lines);
    for (const token of tokens) {
      for (const part of token.split('.')) expect(text).not.toContain(part);
    }
    expect(warnAndWorse(log).slice(atStart)).toEqual(lines);
  });

  it('requests refused by rate limits: one warn line per window, with the count, the limit, the client and the user', async () => {
    const log = capturedLog();
    const router = await services.startRouter(urls, {
      logger: log.logger,
      securityLogEveryMs: WINDOW_MS,
      env: { ROUTER_RATE_LIMIT_PER_MINUTE: '3' },
    });
    const atStart = warnAndWorse(log).length;
    // Signing up is counted by address; the user's own three are admitted.
    const { token, id } = await signUp(router.url, 'seclog_limited');
    const asUser = { ...viaProxy, ...bearer(token) };
    for (let i = 0; i < 3; i++)
      expect((await gql(router.url, '{ me { id } }', {}, asUser)).status).toBe(200);
    expect(warnAndWorse(log).slice(atStart)).toEqual([]);

    const first = Date.now();
    for (let i = 0; i < 3; i++)
      expect((await gql(router.url, '{ me { id } }', {}, asUser)).status).toBe(429);
    const line = await log.waitFor((l) => l['msg'] === 'requests refused by rate limits');
    expect(line).toMatchObject({
      level: WARN,
      refused: 1,
      limit: 'requests per minute',
      transport: 'http',
      clientAddress: CLIENT,
      userId: id,
    });
    expect(Date.now() - first).toBeLessThan(WINDOW_MS);
    expect(warnings(log, 'requests refused by rate limits')).toHaveLength(1);

    await sleep(WINDOW_MS - (Date.now() - first) + 100);
    expect((await gql(router.url, '{ me { id } }', {}, asUser)).status).toBe(429);
    const lines = warnings(log, 'requests refused by rate limits');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ refused: 3, limit: 'requests per minute', userId: id });
    expect(warnAndWorse(log).slice(atStart)).toEqual(lines);
    const text = JSON.stringify(log.lines);
    for (const part of token.split('.')) expect(text).not.toContain(part);
  });

  it('graphql-ws and graphql-sse refusals of a token are logged as HTTP ones are', async () => {
    const garbage = 'Zm9yZ2Vk.Z2FyYmFnZQ.c2lnbmF0dXJl';
    const lines: Array<Record<string, unknown>> = [];
    for (const transport of ['websocket', 'sse'] as const) {
      const log = capturedLog();
      // A router of its own for each, so the other's line does not hold this one back.
      const router = await services.startRouter(urls, {
        logger: log.logger,
        securityLogEveryMs: WINDOW_MS,
      });
      if (transport === 'websocket')
        expect(await closeCode(wsClient(router.url, garbage))).toBe(4403);
      else expect((await eventStream(router.url, garbage, '{ __typename }')).status).toBe(401);
      lines.push(await log.waitFor((l) => l['msg'] === 'refused bearer tokens'));
      expect(JSON.stringify(log.lines)).not.toContain(garbage.split('.')[1]);
    }
    for (const [i, transport] of ['websocket', 'sse'].entries())
      expect(lines[i]).toMatchObject({ level: WARN, refused: 1, reason: 'invalid', transport });
  });
});

describe('refusals by a limit in /metrics', () => {
  it('counts each in router_rate_limited_total by limit and transport, as it logs it', async () => {
    const log = capturedLog();
    // A longer window: the first line's must outlast the refusals it counts for the next line.
    const windowMs = 2 * WINDOW_MS;
    const router = await services.startRouter(urls, {
      logger: log.logger,
      securityLogEveryMs: windowMs,
      env: { ROUTER_RATE_LIMIT_PER_MINUTE: '4', ROUTER_WS_MAX_CONNECTIONS_PER_USER: '1' },
    });
    const { token } = await signUp(router.url, 'seclog_counted');
    const refusals = async (labels: Record<string, string>) =>
      metricValue(await scrapeMetrics(router.url), 'router_rate_limited_total', labels);

    // One socket is this user's limit: the second is closed, counted as a websocket refusal.
    const first = wsClient(router.url, token);
    const up = connected(first);
    collect(first, 'subscription { logAdded { id } }', 1, 60_000).done.catch(() => {});
    await up;
    expect(await closeCode(wsClient(router.url, token))).toBe(1013);
    // The refusal's line was written before its close reached us: the window ends by then.
    const windowEnds = Date.now() + windowMs;
    await first.dispose();
    expect(await refusals({ limit: 'sockets per user', transport: 'websocket' })).toBe(1);

    // Counted per user: its subscription above and three of these are its four this minute.
    const asUser = bearer(token);
    for (let i = 0; i < 5; i++) await gql(router.url, '{ me { id } }', {}, asUser);
    expect(await refusals({ limit: 'requests per minute', transport: 'http' })).toBe(2);
    expect(await refusals({})).toBe(3);
    // And the log saw the same refusals: its first line at once, the next two counted for the
    // line the first refusal after the window writes, which counts itself too.
    const lines = () => warnings(log, 'requests refused by rate limits');
    expect(Date.now()).toBeLessThan(windowEnds);
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatchObject({
      refused: 1,
      limit: 'sockets per user',
      transport: 'websocket',
    });
    await sleep(windowEnds - Date.now() + 100);
    await gql(router.url, '{ me { id } }', {}, asUser);
    await log.waitFor(
      (line) => line['msg'] === 'requests refused by rate limits' && line !== lines()[0],
    );
    expect(lines()).toHaveLength(2);
    expect(lines()[1]).toMatchObject({
      refused: 3,
      limit: 'requests per minute',
      transport: 'http',
    });
    expect(await refusals({})).toBe(1 + 3);
  });
});
