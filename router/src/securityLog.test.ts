/**
 * What the security log writes and counts for a refusal, without a router: the refusal by a limit
 * as `rateLimitRefusal` makes it from a request's context. The routers' own trail (throttling,
 * transports, /metrics) is router/test/securityLog.test.ts.
 */
import { Counter, Registry } from '@microservice-math/shared/metrics';
import { describe, expect, it } from 'vitest';
import { capturedLog } from '../test/support/capturedLog.js';
import type { RouterContext } from './context.js';
import { createSecurityLog, rateLimitRefusal } from './securityLog.js';

const WARN = 40;

describe('rateLimitRefusal', () => {
  it('names the limit, the transport, the client and the caller`s id', () => {
    const context = {
      transport: 'sse',
      clientAddress: '203.0.113.7',
      caller: { id: 'u1', username: 'ada' },
      requestId: 'r1',
    } as unknown as RouterContext;
    expect(rateLimitRefusal('live demand per user', context)).toStrictEqual({
      limit: 'live demand per user',
      transport: 'sse',
      clientAddress: '203.0.113.7',
      userId: 'u1',
    });
  });

  it('is counted by limit and transport and logged without a user for an anonymous caller', async () => {
    const log = capturedLog();
    const counter = new Counter({
      name: 'refused_total',
      help: 'refusals',
      labelNames: ['transport', 'limit'] as const,
      registers: [new Registry()],
    });
    const securityLog = createSecurityLog(log.logger, { rateLimited: counter });
    securityLog.rateLimited(
      rateLimitRefusal('requests per minute', {
        transport: 'http',
        clientAddress: '203.0.113.7',
        caller: null,
      }),
    );
    // Written at once; pino's own fields aside, the line is exactly these (no userId).
    const [{ time, pid, hostname, ...line } = {}] = log.lines;
    expect([time, pid, hostname]).not.toContain(undefined);
    expect(line).toStrictEqual({
      level: WARN,
      msg: 'requests refused by rate limits',
      refused: 1,
      limit: 'requests per minute',
      transport: 'http',
      clientAddress: '203.0.113.7',
    });
    expect((await counter.get()).values).toEqual([
      { labels: { transport: 'http', limit: 'requests per minute' }, value: 1 },
    ]);
  });
});
