import { mount } from '@vue/test-utils';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { watch } from 'vue';
import type * as ws from 'ws';
import { waitFor } from '../../../tests/support/waitFor';
import ConnectionBanner from '../graphql/ConnectionBanner.vue';
import { RESTART_CLOSE_CODE } from '../graphql/liveConnection';
import {
  createTestGraphQLClient,
  provideFor,
  type TestGraphQLClient,
} from '../testing/fakeGraphQLServer';
import { requestLog } from '../testing/requestLog';
import { MAX_LISTED_LOGS, RECENT_LOGS_LIMIT, addLogToRecentLogs } from './recentLogs';
import LiveIndicator from './LiveIndicator.vue';
import RecentLogs from './RecentLogs.vue';

/** The caller's log number `i`, made `i` seconds into the day: ids and times sort alike. */
const logNumber = (i: number) =>
  requestLog({
    id: `log-${String(i).padStart(5, '0')}`,
    createdAt: new Date(Date.UTC(2026, 10, 26) + i * 1000).toISOString(),
  });

// In this DOM environment `ws` resolves to its browser stub; the server needs the Node build.
const { WebSocketServer } = createRequire(import.meta.url)('ws') as typeof ws;

let client: TestGraphQLClient | undefined;
afterEach(() => client?.dispose());

/**
 * RecentLogs against a server holding `server` (newest first; the test may add to it), pages
 * cut from it as the router would; `beforePage` runs as each page is asked for.
 */
function mountRecentLogs(
  server: ReturnType<typeof requestLog>[],
  beforePage: () => void = () => {},
) {
  const graphql = createTestGraphQLClient({
    RecentLogs: ({ variables }) => {
      const before = server.findIndex(({ id }) => id === variables['before']);
      const from = typeof variables['before'] === 'string' ? before + 1 : 0;
      beforePage();
      return { data: { recentLogs: server.slice(from, from + Number(variables['limit'])) } };
    },
  });
  client = graphql;
  const wrapper = mount(RecentLogs, {
    global: { provide: provideFor(graphql) },
    attachTo: document.body,
  });
  return {
    client: graphql,
    wrapper,
    rows: () => wrapper.findAll('tbody tr:not(.details)'),
    loadMore: () => wrapper.findAll('button').find((button) => button.text() === 'Load more'),
    /** The ids the cached list holds, in order. */
    listed: () =>
      (
        graphql.apollo.cache.extract()['ROOT_QUERY']?.['recentLogs'] as Array<{ __ref: string }>
      ).map(({ __ref }) => __ref.replace('RequestLog:', '')),
  };
}

/**
 * A graphql-ws router that refuses the first `refusals` LogAdded subscriptions, as rate-limited
 * with waits of `retryAfterSeconds` or, without one, as an internal error; then it serves log 2.
 * It records each subscription's variables, and every message each socket sent (`frames`).
 */
async function refusingRouter(
  refusals: number,
  retryAfterSeconds?: number,
  { served = () => true }: { served?: (subscription: number) => boolean } = {},
) {
  const server = new WebSocketServer({ port: 0, path: '/graphql' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const subscribed: unknown[] = [];
  const frames: Array<{ socket: number; type: string; id?: string; payload?: unknown }> = [];
  let sockets = 0;
  /** The close code of each socket closed, as the router heard it. */
  const closes: number[] = [];
  server.on('connection', (socket) => {
    const socketNumber = ++sockets;
    socket.on('close', (code) => closes.push(code));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as {
        type: string;
        id?: string;
        payload?: { variables?: unknown };
      };
      frames.push({ socket: socketNumber, ...message });
      if (message.type === 'connection_init') {
        socket.send(JSON.stringify({ type: 'connection_ack' }));
      } else if (message.type === 'subscribe') {
        subscribed.push(message.payload?.variables);
        if (subscribed.length > refusals && !served(subscribed.length)) return;
        const reply =
          subscribed.length <= refusals
            ? {
                type: 'error',
                payload: [
                  retryAfterSeconds === undefined
                    ? {
                        message: 'Internal server error',
                        extensions: { code: 'INTERNAL_SERVER_ERROR' },
                      }
                    : {
                        message: `Too many requests; try again in ${retryAfterSeconds} s`,
                        extensions: { code: 'RATE_LIMITED', retryAfterSeconds },
                      },
                ],
              }
            : { type: 'next', payload: { data: { logAdded: logNumber(2) } } };
        socket.send(JSON.stringify({ id: message.id, ...reply }));
      }
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/graphql`,
    subscribed,
    frames,
    closes,
    /** What socket `n` (from 1) sent: each message's type and its payload's variables or params. */
    sentOn: (n: number) =>
      frames
        .filter(({ socket }) => socket === n)
        .map(({ type, payload }) => [
          type,
          (payload as { variables?: unknown } | undefined)?.variables ?? payload,
        ]),
    sockets: () => [...server.clients],
    async close() {
      for (const socket of server.clients) socket.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** RecentLogs listing `listed` (log 1), its live feed from the graphql-ws router at `webSocketUrl`. */
function mountBesideRouter(webSocketUrl: string, listed = [logNumber(1)]) {
  client = createTestGraphQLClient(
    { RecentLogs: () => ({ data: { recentLogs: listed } }) },
    { webSocketUrl },
  );
  return mount(RecentLogs, { global: { provide: provideFor(client) }, attachTo: document.body });
}

async function closeBesideRouter(
  wrapper: ReturnType<typeof mountBesideRouter>,
  router: { close(): Promise<void> },
) {
  wrapper.unmount();
  client?.live.reset();
  await router.close();
}

/** An error line's words as they read: the text between its parts, whitespace runs as one space. */
const lineText = (wrapper: { get(selector: string): { element: Element } }, selector: string) =>
  (wrapper.get(selector).element.textContent ?? '').replace(/\s+/g, ' ').trim();

describe('RecentLogs', () => {
  it('captions the table for screen readers, in the singular for one log', async () => {
    const one = mountRecentLogs([logNumber(1)]);
    await waitFor(() => expect(one.rows()).toHaveLength(1));
    expect(one.wrapper.get('caption').text()).toBe('Your most recent calculation');
    one.wrapper.unmount();
    client?.dispose();

    const three = mountRecentLogs([logNumber(3), logNumber(2), logNumber(1)]);
    await waitFor(() => expect(three.rows()).toHaveLength(3));
    expect(three.wrapper.get('caption').text()).toBe(
      'Your 3 most recent calculations, newest first',
    );
    three.wrapper.unmount();
  });

  it('offers Load more again once live logs take a whole list past its cap, and loads from the new oldest row', async () => {
    // The server's logs, newest first: 25 to begin with, then one per calculation of this tab.
    const server = Array.from({ length: 25 }, (_, i) => logNumber(25 - i));
    const { client, wrapper, rows, loadMore, listed: ids } = mountRecentLogs(server);

    await waitFor(() => expect(rows()).toHaveLength(RECENT_LOGS_LIMIT));
    await loadMore()?.trigger('click');
    await waitFor(() => expect(wrapper.text()).toContain('That is all of them.'));
    expect(rows()).toHaveLength(25);

    // Calculations of this tab, each listed first: the 276th takes the list past the cap.
    const added = MAX_LISTED_LOGS - 25 + 1;
    for (let i = 26; i < 26 + added; i += 1) {
      const log = logNumber(i);
      server.unshift(log);
      addLogToRecentLogs(client.apollo.cache, log);
    }
    await waitFor(() => expect(rows()).toHaveLength(MAX_LISTED_LOGS));
    expect(ids().at(-1)).toBe('log-00002');
    expect(wrapper.text()).not.toContain('That is all of them.');

    // Load more asks for the logs before the oldest shown: the one dropped, no other.
    await loadMore()?.trigger('click');
    await waitFor(() => expect(wrapper.text()).toContain('That is all of them.'));
    expect(client.sent.at(-1)?.variables).toEqual({
      limit: RECENT_LOGS_LIMIT,
      before: 'log-00002',
    });
    expect(ids()).toEqual(server.map(({ id }) => id));
    wrapper.unmount();
  });

  it('drops a page whose cursor a live log pushed out while it loaded, and lets go of dropped rows', async () => {
    // A list at its cap, not complete: 320 logs on the server, 300 listed.
    const server = Array.from({ length: 320 }, (_, i) => logNumber(320 - i));
    let liveDuringPage: (() => void) | undefined;
    const { client, wrapper, rows, loadMore, listed } = mountRecentLogs(server, () => {
      // A live log arrives while this page is on its way.
      liveDuringPage?.();
      liveDuringPage = undefined;
    });
    const cachedLogs = () =>
      Object.keys(client.apollo.cache.extract()).filter((key) => key.startsWith('RequestLog:'));

    await waitFor(() => expect(rows()).toHaveLength(RECENT_LOGS_LIMIT));
    for (let page = 1; page < MAX_LISTED_LOGS / RECENT_LOGS_LIMIT; page += 1) {
      await loadMore()?.trigger('click');
      await waitFor(() => expect(rows()).toHaveLength((page + 1) * RECENT_LOGS_LIMIT));
    }
    expect(listed().at(-1)).toBe('log-00021');

    // The next page is asked before log 21; a new log pushes log 21 out meanwhile.
    liveDuringPage = () => {
      const log = logNumber(321);
      server.unshift(log);
      addLogToRecentLogs(client.apollo.cache, log);
    };
    await loadMore()?.trigger('click');
    await waitFor(() => expect(client?.sent.at(-1)?.variables['before']).toBe('log-00021'));
    await waitFor(() => expect(loadMore()?.attributes('aria-disabled')).not.toBe('true'));
    // The page (logs 20 down to 1) would have skipped log 21: it is not appended, and the list
    // does not claim to be whole.
    expect(listed()).toEqual(server.slice(0, MAX_LISTED_LOGS).map(({ id }) => id));
    expect(wrapper.text()).not.toContain('That is all of them.');
    // Nothing of the dropped row is kept in the cache.
    expect(cachedLogs()).toHaveLength(MAX_LISTED_LOGS);

    // Asked again, from the oldest row now shown (logs 21 to 2, then 1), the list ends whole,
    // each log once.
    await loadMore()?.trigger('click');
    await waitFor(() => expect(rows()).toHaveLength(MAX_LISTED_LOGS + RECENT_LOGS_LIMIT));
    expect(client.sent.at(-1)?.variables['before']).toBe('log-00022');
    await loadMore()?.trigger('click');
    await waitFor(() => expect(wrapper.text()).toContain('That is all of them.'));
    expect(listed()).toEqual(server.map(({ id }) => id));
    wrapper.unmount();
  });

  it('says a refused list’s wait counting down and loads the list by itself when it ends', async () => {
    let refused = 0;
    client = createTestGraphQLClient({
      RecentLogs: () => {
        if (refused++ === 0) {
          return {
            errors: [
              {
                message: 'Too many requests; try again in 2 s',
                extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 2 },
              },
            ],
          };
        }
        return { data: { recentLogs: [logNumber(1)] } };
      },
    });
    const wrapper = mount(RecentLogs, {
      global: { provide: provideFor(client) },
      attachTo: document.body,
    });
    await waitFor(() => expect(wrapper.text()).toContain('Trying again in 2 s.'));
    // Its parts read apart: not "…2 s.Try again".
    expect(lineText(wrapper, '.form-error')).toBe(
      'Too many requests. Trying again in 2 s. Try again',
    );
    expect(wrapper.text()).not.toContain('Try again in 2 s.');
    await waitFor(() => expect(wrapper.text()).toContain('Trying again in 1 s.'));
    // No click: the list loads once the wait is over.
    await waitFor(() => expect(wrapper.findAll('tbody tr:not(.details)')).toHaveLength(1));
    expect(wrapper.text()).not.toContain('Too many requests');
    wrapper.unmount();
  });

  it('resubscribes a feed refused with a wait once the wait is over, after the newest log shown', async () => {
    // A router that refuses the first LogAdded subscription as rate-limited, then serves one log.
    const router = await refusingRouter(1, 2);
    const wrapper = mountBesideRouter(router.url);
    try {
      await waitFor(() => expect(wrapper.text()).toContain('Resuming in 2 s.'));
      expect(wrapper.text()).toContain('Live feed: Too many requests.');
      await waitFor(() => expect(wrapper.text()).toContain('Resuming in 1 s.'));
      // No reload: the feed subscribes again after the newest log shown, and its log arrives.
      await waitFor(() => expect(wrapper.findAll('tbody tr:not(.details)')).toHaveLength(2));
      expect(router.subscribed).toEqual([{}, { after: 'log-00001' }]);
      expect(wrapper.text()).not.toContain('Too many requests');
    } finally {
      await closeBesideRouter(wrapper, router);
    }
  });

  it('has the header’s indicator say Paused, not Idle, while a refused feed waits to resume', async () => {
    const router = await refusingRouter(1, 2);
    const wrapper = mountBesideRouter(router.url);
    // The header's indicator, beside the list as in the app, on the same live connection.
    const indicator = mount(LiveIndicator, { global: { provide: provideFor(client!) } });
    try {
      await waitFor(() => expect(wrapper.text()).toContain('Resuming in'));
      await waitFor(() => expect(indicator.text()).toBe('Live updates: Paused'));
      await waitFor(() => expect(wrapper.findAll('tbody tr:not(.details)')).toHaveLength(2));
      await waitFor(() => expect(indicator.text()).toBe('Live updates: Live'));
    } finally {
      indicator.unmount();
      await closeBesideRouter(wrapper, router);
    }
  });

  it('offers Resume for a feed refused without a wait, and resumes after the newest log shown', async () => {
    const router = await refusingRouter(1);
    const wrapper = mountBesideRouter(router.url);
    const resume = () => wrapper.findAll('button').find((button) => button.text() === 'Resume');
    try {
      await waitFor(() => expect(resume()).toBeDefined());
      expect(lineText(wrapper, '.form-error')).toBe('Live feed: Internal server error Resume');
      await resume()?.trigger('click');
      await waitFor(() => expect(wrapper.findAll('tbody tr:not(.details)')).toHaveLength(2));
      expect(router.subscribed).toEqual([{}, { after: 'log-00001' }]);
      expect(resume()).toBeUndefined();
    } finally {
      await closeBesideRouter(wrapper, router);
    }
  });

  it('leaves a feed the socket resubscribes from the same cursor after a drop: one subscription, not two', async () => {
    // The resumed feed (subscription 2) hears nothing until the socket drops and resubscribes.
    const router = await refusingRouter(1, undefined, { served: (n) => n > 2 });
    const wrapper = mountBesideRouter(router.url);
    const resume = () => wrapper.findAll('button').find((button) => button.text() === 'Resume');
    try {
      await waitFor(() => expect(resume()).toBeDefined());
      await resume()?.trigger('click');
      await waitFor(() => expect(router.subscribed).toHaveLength(2));
      for (const socket of router.sockets()) socket.terminate();
      // The resubscription is served log 2; a restart on top of it would have asked again.
      await waitFor(() => expect(wrapper.findAll('tbody tr:not(.details)')).toHaveLength(2));
      expect(router.subscribed).toEqual([{}, { after: 'log-00001' }, { after: 'log-00001' }]);
    } finally {
      await closeBesideRouter(wrapper, router);
    }
  });

  it('with nothing listed, a drop refetches the list and leaves the socket’s resubscription alone', async () => {
    // The live-only feed (subscription 1) hears nothing until the socket drops and resubscribes.
    const router = await refusingRouter(0, undefined, { served: (n) => n > 1 });
    const wrapper = mountBesideRouter(router.url, []);
    try {
      await waitFor(() => expect(router.subscribed).toHaveLength(1));
      for (const socket of router.sockets()) socket.terminate();
      await waitFor(() => expect(wrapper.findAll('tbody tr:not(.details)')).toHaveLength(1));
      expect(router.subscribed).toEqual([{}, {}]);
    } finally {
      await closeBesideRouter(wrapper, router);
    }
  });

  it('after a drop subscribes a feed once, from the newest log shown, not first again from its old cursor', async () => {
    // The live-only feed (subscription 1) is served log 2, which is then the newest shown.
    const router = await refusingRouter(0, undefined, { served: (n) => n === 1 });
    const wrapper = mountBesideRouter(router.url);
    try {
      await waitFor(() => expect(wrapper.findAll('tbody tr:not(.details)')).toHaveLength(2));
      for (const socket of router.sockets()) socket.terminate();
      await waitFor(() => expect(router.subscribed).toContainEqual({ after: 'log-00002' }));
      await waitFor(() => expect(client?.live.status.value).toBe('live'));
      // One subscription on the new socket, with the newest cursor: graphql-ws's own
      // resubscription of the old one ({}) is not sent first, nor completed after.
      expect(router.sentOn(2)).toEqual([
        ['connection_init', { authorization: 'Bearer test-token' }],
        ['subscribe', { after: 'log-00002' }],
      ]);
    } finally {
      await closeBesideRouter(wrapper, router);
    }
  });

  it('moves the feed to a renewed token at once, saying nothing of it, from the newest log shown', async () => {
    const router = await refusingRouter(0, undefined, { served: (n) => n === 1 });
    const wrapper = mountBesideRouter(router.url);
    const provide = { global: { provide: provideFor(client!) } };
    const indicator = mount(LiveIndicator, provide);
    const banner = mount(ConnectionBanner, provide);
    const live = client!.live;
    const changes: unknown[] = [];
    try {
      await waitFor(() => expect(wrapper.findAll('tbody tr:not(.details)')).toHaveLength(2));
      await waitFor(() => expect(live.status.value).toBe('live'));
      watch([live.status, live.nextRetryAt], (change) => changes.push(change), { flush: 'sync' });

      // The session renews its token (as its schedule does, a while before the old one expires).
      client!.session.start({
        token: 'renewed-token',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        user: { id: 'u1', username: 'ada' },
      });

      // A new socket presents the renewed token and resumes the feed after the newest log, once.
      await waitFor(() => expect(router.sentOn(2)).toHaveLength(2));
      expect(router.sentOn(2)).toEqual([
        ['connection_init', { authorization: 'Bearer renewed-token' }],
        ['subscribe', { after: 'log-00002' }],
      ]);
      expect(router.closes).toEqual([RESTART_CLOSE_CODE]);
      await waitFor(() => expect(live.status.value).toBe('live'));
      // Live all along: not offline, not connecting, no reconnection scheduled; nothing said.
      expect(changes).toEqual([]);
      expect(indicator.text()).toBe('Live updates: Live');
      expect(banner.text()).toBe('');
    } finally {
      banner.unmount();
      indicator.unmount();
      await closeBesideRouter(wrapper, router);
    }
  });

  it('waits twice as long each time a feed is refused again before any log arrives', async () => {
    // A live-demand refusal says 1 s however long the user's other subscriptions stay open.
    const router = await refusingRouter(2, 1);
    const wrapper = mountBesideRouter(router.url);
    try {
      await waitFor(() => expect(router.subscribed).toHaveLength(2));
      // Refused a second time: 2 s, not the 1 s the router said.
      await waitFor(() => expect(wrapper.text()).toContain('Resuming in 2 s.'));
      await waitFor(() => expect(wrapper.findAll('tbody tr:not(.details)')).toHaveLength(2));
      expect(router.subscribed).toHaveLength(3);
    } finally {
      await closeBesideRouter(wrapper, router);
    }
  });
});
