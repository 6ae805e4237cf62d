import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../tests/support/waitFor';
import {
  createTestGraphQLClient,
  provideFor,
  type TestGraphQLClient,
} from '../testing/fakeGraphQLServer';
import { requestLog } from '../testing/requestLog';
import { MAX_LISTED_LOGS, RECENT_LOGS_LIMIT, addLogToRecentLogs } from './recentLogs';
import RecentLogs from './RecentLogs.vue';

/** The caller's log number `i`, made `i` seconds into the day: ids and times sort alike. */
const logNumber = (i: number) =>
  requestLog({
    id: `log-${String(i).padStart(5, '0')}`,
    createdAt: new Date(Date.UTC(2026, 10, 26) + i * 1000).toISOString(),
  });

let client: TestGraphQLClient | undefined;
afterEach(() => client?.session.dispose());

describe('RecentLogs', () => {
  it('offers Load more again once live logs take a whole list past its cap, and loads from the new oldest row', async () => {
    // The server's logs, newest first: 25 to begin with, then one per calculation of this tab.
    const server = Array.from({ length: 25 }, (_, i) => logNumber(25 - i));
    client = createTestGraphQLClient({
      RecentLogs: ({ variables }) => {
        const before = server.findIndex(({ id }) => id === variables['before']);
        const from = typeof variables['before'] === 'string' ? before + 1 : 0;
        return { data: { recentLogs: server.slice(from, from + Number(variables['limit'])) } };
      },
    });
    const wrapper = mount(RecentLogs, {
      global: { provide: provideFor(client) },
      attachTo: document.body,
    });
    const rows = () => wrapper.findAll('tbody tr:not(.details)');
    const loadMore = () =>
      wrapper.findAll('button').find((button) => button.text() === 'Load more');
    const ids = () =>
      (
        client?.apollo.cache.extract()['ROOT_QUERY']?.['recentLogs'] as Array<{ __ref: string }>
      ).map(({ __ref }) => __ref.replace('RequestLog:', ''));

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
});
