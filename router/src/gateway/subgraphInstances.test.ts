/**
 * Which instance of a subgraph a call goes to once connections have failed: a failed instance
 * is passed over while another can answer, and still tried when none can, so that one lost
 * connection of a subgraph's only instance does not refuse every call until its next good
 * `/ready`. Real HTTP servers and the router's real subgraph client.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '@microservice-math/shared/errors';
import { createLogger } from '@microservice-math/shared/logger';
import { SHUTDOWN_REFUSAL_HEADER } from '@microservice-math/shared/routerContext';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../tests/support/waitFor.js';
import { capturedLog } from '../../test/support/capturedLog.js';
import { subgraphClients, type SubgraphClients } from './subgraphClients.js';
import { RESEND_MIN_MS, subgraphInstances, type SubgraphInstances } from './subgraphInstances.js';

interface Subgraph {
  url: string;
  /** Calls to /graphql that reached it, answered or not. */
  calls: number;
  /** Requests to /ready. */
  readyAsked: number;
  /** Drops the connection of the next `n` calls to /graphql without answering. */
  dropNext(n: number): void;
  /**
   * Answers the next `n` calls 408 and closes their connection, as Node's server does with a
   * request it has not read whole within its request timeout (the handler never sees it).
   */
  timeOutNext(n: number): void;
  /**
   * Answers the next `n` calls as a math instance that cut their calculations for its shutdown:
   * 200, a SERVICE_UNAVAILABLE error in the body and SHUTDOWN_REFUSAL_HEADER.
   */
  refuseForShutdownNext(n: number): void;
  /** Reads the next `n` calls and never answers them. */
  hangNext(n: number): void;
  server: Server;
}

/** A subgraph whose `/ready` always says no (the poll never puts a failed instance back) or yes. */
async function startSubgraph(name: string, readyStatus = 503): Promise<Subgraph> {
  let drops = 0;
  let timeouts = 0;
  let shutdownRefusals = 0;
  let hangs = 0;
  const subgraph = {
    calls: 0,
    readyAsked: 0,
    dropNext: (n: number) => void (drops = n),
    timeOutNext: (n: number) => void (timeouts = n),
    refuseForShutdownNext: (n: number) => void (shutdownRefusals = n),
    hangNext: (n: number) => void (hangs = n),
  } as unknown as Subgraph;
  subgraph.server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/ready') {
      subgraph.readyAsked++;
      res.writeHead(readyStatus).end();
      return;
    }
    subgraph.calls++;
    req.resume();
    req.on('end', () => {
      if (drops > 0) {
        drops--;
        req.socket.destroy();
        return;
      }
      if (timeouts > 0) {
        timeouts--;
        res.writeHead(408, { connection: 'close' }).end();
        return;
      }
      if (hangs > 0) {
        hangs--;
        return;
      }
      if (shutdownRefusals > 0) {
        shutdownRefusals--;
        res.writeHead(200, {
          'content-type': 'application/json',
          [SHUTDOWN_REFUSAL_HEADER]: '1',
        });
        res.end(JSON.stringify({ data: { from: name }, errors: [SHUTTING_DOWN] }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { from: name } }));
    });
  });
  await new Promise<void>((resolve) => subgraph.server.listen(0, '127.0.0.1', resolve));
  subgraph.url = `http://127.0.0.1:${(subgraph.server.address() as AddressInfo).port}/graphql`;
  return subgraph;
}

/** What math answers for a calculation its shutdown cut (calculator.ts). */
const SHUTTING_DOWN = {
  message: 'The math service is shutting down; send the calculation again',
  extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 },
};

const logger = createLogger('test', { level: 'silent', pretty: false });
const opened: Array<{
  clients: SubgraphClients;
  instances: SubgraphInstances;
  subgraphs: Subgraph[];
}> = [];

async function instancesOf(
  names: string[],
  { readyStatus = 503, pollMs = 1_000, timeoutMs = 5_000, resendShutdownRefusals = true } = {},
) {
  const subgraphs = await Promise.all(names.map((name) => startSubgraph(name, readyStatus)));
  const clients = subgraphClients(timeoutMs);
  const instances = subgraphInstances(
    'math',
    subgraphs.map((s) => s.url),
    clients.clientFor,
    { timeoutMs, logger, pollMs, resendShutdownRefusals },
  );
  await instances.firstPoll;
  opened.push({ clients, instances, subgraphs });
  return { instances, subgraphs };
}

const call = async (instances: SubgraphInstances) =>
  JSON.parse((await instances.post({ 'content-type': 'application/json' }, '{}')).body) as {
    data: { from: string };
  };

afterEach(async () => {
  for (const { clients, instances, subgraphs } of opened.splice(0)) {
    instances.close();
    await clients.close();
    await Promise.all(subgraphs.map((s) => new Promise((resolve) => s.server.close(resolve))));
  }
});

describe('subgraph instances after failed connections', () => {
  it('refuses a call that got no answer twice, and tries the only instance again on the next call', async () => {
    const { instances, subgraphs } = await instancesOf(['only']);
    const [only] = subgraphs as [Subgraph];
    only.dropNext(2);
    await expect(call(instances)).rejects.toMatchObject({
      extensions: { code: ErrorCode.ServiceUnavailable, serviceName: 'math' },
    });
    expect(only.calls).toBe(2);
    // Failed, and its /ready still says no: the call is tried there all the same, and answered.
    expect((await call(instances)).data.from).toBe('only');
    expect(only.calls).toBe(3);
  });

  it('passes a failed instance over while another answers', async () => {
    const { instances, subgraphs } = await instancesOf(['a', 'b']);
    const [a] = subgraphs as [Subgraph, Subgraph];
    a.dropNext(1);
    // Round-robin starts at a: no answer there, so the call is sent on to b.
    expect((await call(instances)).data.from).toBe('b');
    const from = [];
    for (let i = 0; i < 4; i++) from.push((await call(instances)).data.from);
    expect(from).toEqual(['b', 'b', 'b', 'b']);
    expect(a.calls).toBe(1);
  });

  it('sends a call its only instance answered 408 (not read in time, never run) once more, and keeps the instance', async () => {
    const { instances, subgraphs } = await instancesOf(['only'], { readyStatus: 200 });
    const [only] = subgraphs as [Subgraph];
    only.timeOutNext(1);
    expect((await call(instances)).data.from).toBe('only');
    expect(only.calls).toBe(2);
    expect(() => instances.checkReady()).not.toThrow();
  });

  it('sends a call answered 408 on to another instance, and answers a second 408 as it came', async () => {
    const { instances, subgraphs } = await instancesOf(['a', 'b'], { readyStatus: 200 });
    const [a, b] = subgraphs as [Subgraph, Subgraph];
    a.timeOutNext(1);
    // Round-robin starts at a: 408 there, so the call is sent on to b.
    expect((await call(instances)).data.from).toBe('b');
    expect([a.calls, b.calls]).toEqual([1, 1]);
    // Twice 408: no third attempt, the answer goes on to the gateway as an HTTP error.
    a.timeOutNext(1);
    b.timeOutNext(1);
    const answer = await instances.post({ 'content-type': 'application/json' }, '{}');
    expect(answer.status).toBe(408);
    expect(a.calls + b.calls).toBe(4);
  });

  it('asks a failed instance that answers for its /ready at once, so the router is ready again', async () => {
    // No poll but the first within the test: only an answer can make it ask again.
    const { instances, subgraphs } = await instancesOf(['only'], {
      readyStatus: 200,
      pollMs: 600_000,
    });
    const [only] = subgraphs as [Subgraph];
    expect(only.readyAsked).toBe(1);
    only.dropNext(2);
    await expect(call(instances)).rejects.toMatchObject({
      extensions: { code: ErrorCode.ServiceUnavailable },
    });
    expect(() => instances.checkReady()).toThrow(/is unreachable/);
    // A burst of answers asks once.
    await Promise.all([call(instances), call(instances), call(instances)]);
    await waitFor(() => expect(() => instances.checkReady()).not.toThrow());
    expect(only.readyAsked).toBe(2);
  });

  it('refuses with SERVICE_UNAVAILABLE, not an internal error, when the host name does not resolve', async () => {
    // As a stopped container's name does (docker-compose.yml's MATH_URL is http://math:5002).
    const clients = subgraphClients(5_000);
    const instances = subgraphInstances(
      'math',
      ['http://math-gone.invalid:5002/graphql'],
      clients.clientFor,
      {
        timeoutMs: 5_000,
        logger,
      },
    );
    try {
      await instances.firstPoll;
      for (let i = 0; i < 2; i++)
        await expect(call(instances)).rejects.toMatchObject({
          extensions: { code: ErrorCode.ServiceUnavailable, retryAfterSeconds: 1 },
        });
    } finally {
      instances.close();
      await clients.close();
    }
  });
});

describe('a call an instance answered with refusals for its shutdown', () => {
  it('is sent once more to another ready instance, whose answer is the call’s; the first is passed over from then on', async () => {
    // No poll but the first within the test: only the answer can take the first out.
    const { instances, subgraphs } = await instancesOf(['a', 'b'], {
      readyStatus: 200,
      pollMs: 600_000,
    });
    const [a, b] = subgraphs as [Subgraph, Subgraph];
    a.refuseForShutdownNext(1);
    // Round-robin starts at a: its shutdown cut the call, so it is sent on to b.
    const answer = await instances.post({ 'content-type': 'application/json' }, '{}');
    expect(JSON.parse(answer.body)).toEqual({ data: { from: 'b' } });
    expect(answer.headers[SHUTDOWN_REFUSAL_HEADER]).toBeUndefined();
    expect([a.calls, b.calls]).toEqual([1, 1]);
    const from = [];
    for (let i = 0; i < 3; i++) from.push((await call(instances)).data.from);
    expect(from).toEqual(['b', 'b', 'b']);
    expect(() => instances.checkReady()).not.toThrow();
  });

  it('is answered with the refusal when no other instance is ready (it is the only one)', async () => {
    const { instances, subgraphs } = await instancesOf(['only'], { readyStatus: 200 });
    const [only] = subgraphs as [Subgraph];
    only.refuseForShutdownNext(1);
    const answer = await instances.post({ 'content-type': 'application/json' }, '{}');
    expect(JSON.parse(answer.body)).toEqual({ data: { from: 'only' }, errors: [SHUTTING_DOWN] });
    expect(only.calls).toBe(1);
  });

  it('is answered with the first refusal when the other instance drops the second attempt, and a second refusal is not sent on again', async () => {
    const { instances, subgraphs } = await instancesOf(['a', 'b'], { readyStatus: 200 });
    const [a, b] = subgraphs as [Subgraph, Subgraph];
    a.refuseForShutdownNext(1);
    b.dropNext(1);
    const dropped = await instances.post({ 'content-type': 'application/json' }, '{}');
    expect(JSON.parse(dropped.body)).toEqual({ data: { from: 'a' }, errors: [SHUTTING_DOWN] });
    expect([a.calls, b.calls]).toEqual([1, 1]);

    await instances.poll(); // both ready again
    a.refuseForShutdownNext(1);
    b.refuseForShutdownNext(1);
    const calls = a.calls + b.calls;
    const twice = await instances.post({ 'content-type': 'application/json' }, '{}');
    expect(JSON.parse(twice.body)).toMatchObject({ errors: [SHUTTING_DOWN] });
    expect(a.calls + b.calls - calls).toBe(2);
    // Both said they are shutting down: neither is ready until its /ready says so.
    expect(() => instances.checkReady()).toThrow();
  });

  it('is answered with the first refusal when the other instance answers 408 (it never ran the call)', async () => {
    const { instances, subgraphs } = await instancesOf(['a', 'b'], { readyStatus: 200 });
    const [a, b] = subgraphs as [Subgraph, Subgraph];
    a.refuseForShutdownNext(1);
    b.timeOutNext(1);
    const answer = await instances.post({ 'content-type': 'application/json' }, '{}');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { from: 'a' }, errors: [SHUTTING_DOWN] });
    expect([a.calls, b.calls]).toEqual([1, 1]);
  });

  it(`is answered with the refusal, not sent on, when less than ${RESEND_MIN_MS} ms of the deadline is left`, async () => {
    const { instances, subgraphs } = await instancesOf(['a', 'b'], {
      readyStatus: 200,
      timeoutMs: RESEND_MIN_MS - 500,
    });
    const [a, b] = subgraphs as [Subgraph, Subgraph];
    a.refuseForShutdownNext(1);
    const answer = await instances.post({ 'content-type': 'application/json' }, '{}');
    expect(JSON.parse(answer.body)).toEqual({ data: { from: 'a' }, errors: [SHUTTING_DOWN] });
    expect([a.calls, b.calls]).toEqual([1, 0]);
  });

  it('is passed on as it came from a subgraph that does not allow its calls to be sent twice', async () => {
    const { instances, subgraphs } = await instancesOf(['a', 'b'], {
      readyStatus: 200,
      resendShutdownRefusals: false,
    });
    const [a, b] = subgraphs as [Subgraph, Subgraph];
    a.refuseForShutdownNext(1);
    const answer = await instances.post({ 'content-type': 'application/json' }, '{}');
    expect(JSON.parse(answer.body)).toEqual({ data: { from: 'a' }, errors: [SHUTTING_DOWN] });
    expect([a.calls, b.calls]).toEqual([1, 0]);
  });

  it('is answered with the first refusal when the other instance does not answer within the call’s deadline', async () => {
    const timeoutMs = RESEND_MIN_MS + 500;
    const { instances, subgraphs } = await instancesOf(['a', 'b'], { readyStatus: 200, timeoutMs });
    const [a, b] = subgraphs as [Subgraph, Subgraph];
    a.refuseForShutdownNext(1);
    b.hangNext(1);
    const started = performance.now();
    const answer = await instances.post({ 'content-type': 'application/json' }, '{}');
    expect(JSON.parse(answer.body)).toEqual({ data: { from: 'a' }, errors: [SHUTTING_DOWN] });
    expect([a.calls, b.calls]).toEqual([1, 1]);
    // Both attempts within the one deadline.
    expect(performance.now() - started).toBeLessThan(timeoutMs + 1_000);
  });

  it('is not sent again for an error in the body alone, without the header', async () => {
    const { instances, subgraphs } = await instancesOf(['a', 'b'], { readyStatus: 200 });
    const [a, b] = subgraphs as [Subgraph, Subgraph];
    a.server.removeAllListeners('request');
    a.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/ready') return void res.writeHead(200).end();
      a.calls++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: null, errors: [SHUTTING_DOWN] }));
    });
    const answer = await instances.post({ 'content-type': 'application/json' }, '{}');
    expect(JSON.parse(answer.body)).toEqual({ data: null, errors: [SHUTTING_DOWN] });
    expect([a.calls, b.calls]).toEqual([1, 0]);
  });
});

describe('a subgraph instance that is not ready', () => {
  it('is logged at warn, so that a wrong MATH_URL is seen at start', async () => {
    const log = capturedLog();
    const subgraph = await startSubgraph('math', 503);
    const clients = subgraphClients(5_000);
    const instances = subgraphInstances('math', [subgraph.url], clients.clientFor, {
      timeoutMs: 5_000,
      logger: log.logger,
      pollMs: 60_000,
    });
    opened.push({ clients, instances, subgraphs: [subgraph] });
    await instances.firstPoll;
    const down = await log.waitFor((line) => line['msg'] === 'subgraph instance');
    expect(down).toMatchObject({
      level: 40,
      subgraph: 'math',
      url: subgraph.url,
      state: 'not ready',
    });
  });
});
